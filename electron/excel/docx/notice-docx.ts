// The notice engine: checks a .docx template (docxtemplater parses it; every {placeholder} must be one of
// shared/notices.ts's) and renders one document with a page per household. The template is whatever the office made
// in Word or WPS: its body is wrapped in a loop over the pages, each page after the first starting with a page break.
import PizZip from 'pizzip';
import Docxtemplater from 'docxtemplater';
import { invalid } from '../../shared/errors.ts';
import { NOTICE_PLACEHOLDERS } from '../../shared/notices.ts';

/** Internal tags of the page loop (never in a template: refused like any unknown placeholder). */
const PAGES = '__pages';
const BREAK = '__break';
const PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>';
const DOCUMENT = 'word/document.xml';
/** The largest template accepted: a letter with a logo is far below it. */
export const TEMPLATE_MAX_BYTES = 5 * 1024 * 1024;

function openZip(bytes: Buffer): PizZip {
  if (bytes.length === 0) throw invalid('notices.templateEmpty');
  if (bytes.length > TEMPLATE_MAX_BYTES) throw invalid('notices.templateTooBig', { mb: TEMPLATE_MAX_BYTES / 1024 / 1024 });
  let zip: PizZip;
  try {
    zip = new PizZip(bytes);
  } catch {
    throw invalid('notices.templateNotDocx');
  }
  if (!zip.file(DOCUMENT)) throw invalid('notices.templateNotDocx');
  return zip;
}

/** docxtemplater's error ids in the clerks' words. */
const PROBLEM_WORDS: Record<string, string> = {
  unclosed_tag: '缺少右花括号',
  unopened_tag: '缺少左花括号',
  duplicate_open_tag: '左花括号重复',
  duplicate_close_tag: '右花括号重复',
  closing_tag_does_not_match_opening_tag: '循环的开始和结束不配对',
  unclosed_loop: '循环没有结束标记',
  unopened_loop: '循环没有开始标记',
  raw_tag_outerxml_invalid: '原样插入的占位符须独占一段',
};

/** What is wrong with the template's tags (docxtemplater's errors), with the tag in question. */
function templateProblems(e: unknown): string {
  type XtError = { message?: string; properties?: { id?: string; xtag?: string; context?: string } };
  const err = e as XtError & { properties?: { errors?: XtError[] } };
  const list = err.properties?.errors ?? [err];
  return list
    .slice(0, 5)
    .map((x) => {
      const id = x.properties?.id ?? '';
      const words = PROBLEM_WORDS[id] ?? x.message ?? '格式错误';
      const where = x.properties?.context ?? x.properties?.xtag;
      return where ? `“${where}”${words}` : words;
    })
    .join('；');
}

function compile(zip: PizZip, parser?: (tag: string) => { get: (scope: unknown) => unknown }): Docxtemplater {
  try {
    return new Docxtemplater(zip, {
      paragraphLoop: true,
      linebreaks: true,
      nullGetter: () => '',
      // Errors become the Chinese message below; nothing is printed to the console.
      errorLogging: false,
      ...(parser ? { parser } : {}),
    });
  } catch (e) {
    throw invalid('notices.templateBroken', { problems: templateProblems(e), example: '{name}' });
  }
}

/** The placeholders a template uses (every part: body, headers, footers), or why it cannot be used. */
export function templateTags(bytes: Buffer): string[] {
  const tags = new Set<string>();
  compile(openZip(bytes), (tag) => {
    tags.add(tag.trim());
    return { get: () => '' };
  });
  return [...tags];
}

/** Checks an uploaded template: a .docx that parses, with known placeholders only. Returns the placeholders it uses. */
export function checkTemplate(bytes: Buffer): string[] {
  const tags = templateTags(bytes);
  const unknown = tags.filter((t) => !NOTICE_PLACEHOLDERS.includes(t));
  if (unknown.length) throw invalid('notices.unknownPlaceholders', { names: unknown.map((t) => `{${t}}`).join('、'), known: NOTICE_PLACEHOLDERS.map((t) => `{${t}}`).join(' ') });
  return tags;
}

/** Wraps the body (all but its final section properties) in the page loop, a page break before every page but the first. */
function wrapBody(xml: string): string {
  const open = /<w:body(\s[^>]*)?>/.exec(xml);
  if (!open) throw invalid('notices.templateNotDocx');
  const start = open.index + open[0].length;
  const end = xml.lastIndexOf('</w:body>');
  const body = xml.slice(start, end);
  const sect = /<w:sectPr[\s\S]*<\/w:sectPr>\s*$/.exec(body) ?? /<w:sectPr[^>]*\/>\s*$/.exec(body);
  const content = sect ? body.slice(0, sect.index) : body;
  const tail = sect ? body.slice(sect.index) : '';
  const tagPara = (t: string) => `<w:p><w:r><w:t>{${t}}</w:t></w:r></w:p>`;
  return `${xml.slice(0, start)}${tagPara(`#${PAGES}`)}${tagPara(`@${BREAK}`)}${content}${tagPara(`/${PAGES}`)}${tail}${xml.slice(end)}`;
}

export type NoticeValues = Record<string, unknown>;

/**
 * One document: the template's body once per page (its values over the common ones), each page after the first on
 * a new page. Headers and footers see the common values.
 */
export function renderNotices(template: Buffer, common: NoticeValues, pages: NoticeValues[]): Buffer {
  const zip = openZip(template);
  zip.file(DOCUMENT, wrapBody(zip.file(DOCUMENT)!.asText()));
  const doc = compile(zip);
  try {
    doc.render({ ...common, [PAGES]: pages.map((p, i) => ({ ...p, [BREAK]: i === 0 ? '' : PAGE_BREAK })) });
  } catch (e) {
    throw invalid('notices.templateBroken', { problems: templateProblems(e), example: '{name}' });
  }
  return doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}
