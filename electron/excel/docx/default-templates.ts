// The three default notice templates, built as minimal WordprocessingML packages: an A4 page, a centred title, the
// body with placeholders ({name}, {address}, {startDate}…; shared/notices.ts), the people of the household, the
// office, its phone, the date and a signature line. scripts/make-templates.ts writes them to resources/templates/ for
// the office to open in Word or WPS; the app builds the same bytes when no replacement was uploaded (a test checks
// the committed files are what this builds).
import PizZip from 'pizzip';
import { NOTICE_TITLES, type NoticeKind } from '../../shared/notices.ts';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
/** Fixed entry times: the same template gives the same bytes (reproducible files, a checkable test). */
const ZIP_DATE = new Date(Date.UTC(2022, 0, 1));

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface RunOpts {
  bold?: boolean;
  size?: number;
  font?: string;
}
interface ParaOpts extends RunOpts {
  align?: 'center' | 'right' | 'left' | 'both';
  indent?: boolean;
  before?: number;
  after?: number;
}

function run(text: string, o: RunOpts = {}): string {
  const font = o.font ?? '仿宋';
  const props = [
    `<w:rFonts w:ascii="${font}" w:eastAsia="${font}" w:hAnsi="${font}"/>`,
    o.bold ? '<w:b/>' : '',
    `<w:sz w:val="${(o.size ?? 14) * 2}"/><w:szCs w:val="${(o.size ?? 14) * 2}"/>`,
  ].join('');
  return `<w:r><w:rPr>${props}</w:rPr><w:t xml:space="preserve">${esc(text)}</w:t></w:r>`;
}

function para(text: string, o: ParaOpts = {}): string {
  const props = [
    `<w:spacing w:before="${o.before ?? 0}" w:after="${o.after ?? 0}" w:line="440" w:lineRule="exact"/>`,
    // Two characters of first-line indent, as official letters are set.
    o.indent ? '<w:ind w:firstLineChars="200" w:firstLine="560"/>' : '',
    `<w:jc w:val="${o.align ?? 'both'}"/>`,
  ].join('');
  return `<w:p><w:pPr>${props}</w:pPr>${text ? run(text, o) : ''}</w:p>`;
}

interface Body {
  lead: string[];
  /** The people of the household (a loop) under this heading. */
  peopleHeading: string;
  person: string;
  closing: string[];
}

const CONTACT = '如有疑问或需要帮助，请联系：{officeName}，电话：{officePhone}。';

const BODIES: Record<NoticeKind, Body> = {
  isolation: {
    lead: [
      '根据{district}{subdistrict}疫情防控工作要求，您（户）自{startDate}起在{address}实行居家隔离{days}天，至{lastDay}期满。隔离期满且核酸检测结果均为阴性的，于{releaseDate}解除居家隔离。',
      '{policy}',
    ],
    peopleHeading: '本户居家隔离人员：',
    person: '{name}：{startDate}至{lastDay}，{releaseDate}解除',
    closing: [CONTACT, '感谢您的理解、支持与配合！'],
  },
  release: {
    lead: ['您（户）自{startDate}起在{address}实行居家隔离，已于{lastDay}期满，经核酸检测结果均为阴性，符合解除条件，自{releaseDate}起解除居家隔离。', '{policy}'],
    peopleHeading: '本户解除居家隔离人员：',
    person: '{name}：{startDate}至{lastDay}，{releaseDate}解除',
    closing: [CONTACT, '特此通知。'],
  },
  monitoring: {
    lead: ['根据{district}{subdistrict}疫情防控工作要求，您（户）自{startDate}起在{address}实行居家健康监测{days}天，至{lastDay}期满，于{releaseDate}解除。', '{policy}'],
    peopleHeading: '本户居家健康监测人员：',
    person: '{name}：{startDate}至{lastDay}',
    closing: [CONTACT, '感谢您的理解、支持与配合！'],
  },
};

/** word/document.xml of a default template. */
export function defaultDocumentXml(kind: NoticeKind): string {
  const b = BODIES[kind];
  const paras = [
    para(NOTICE_TITLES[kind], { align: 'center', bold: true, size: 20, font: '宋体', after: 300 }),
    para('{name}：', { after: 120 }),
    ...b.lead.map((t) => para(t, { indent: true })),
    para(b.peopleHeading, { indent: true, before: 120 }),
    // A loop in paragraphs of its own: each person gets the paragraph between them (docxtemplater paragraphLoop).
    para('{#people}', { indent: true }),
    // Left-aligned: a justified short line spreads its characters across the page.
    para(b.person, { indent: true, align: 'left', size: 12 }),
    para('{/people}', { indent: true }),
    ...b.closing.map((t, i) => para(t, { indent: true, before: i === 0 ? 120 : 0 })),
    para('{officeName}（盖章）', { align: 'right', before: 480 }),
    para('{date}', { align: 'right' }),
    para('签收人（签字）：____________　　签收日期：____年___月___日', { align: 'left', before: 480, size: 12 }),
  ];
  // A4 (11906 × 16838 twips), margins 2.5 cm top and bottom, 2.6 cm sides, 四号 type: one household's notice, with
  // several people, fits one page.
  const sect = '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1418" w:right="1474" w:bottom="1418" w:left="1474" w:header="851" w:footer="851" w:gutter="0"/></w:sectPr>';
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="${W}"><w:body>${paras.join('')}${sect}</w:body></w:document>`;
}

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>`;

const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>`;

const DOC_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="${W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="仿宋" w:eastAsia="仿宋" w:hAnsi="仿宋"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style></w:styles>`;

function coreXml(kind: NoticeKind): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>${NOTICE_TITLES[kind]}</dc:title><dc:creator>居家隔离管理台</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2022-01-01T00:00:00Z</dcterms:created></cp:coreProperties>`;
}

/** The default template of a kind, as .docx bytes (always the same bytes). */
export function defaultTemplate(kind: NoticeKind): Buffer {
  const zip = new PizZip();
  const add = (name: string, text: string) => zip.file(name, text, { date: ZIP_DATE, createFolders: false });
  add('[Content_Types].xml', CONTENT_TYPES);
  add('_rels/.rels', ROOT_RELS);
  add('docProps/core.xml', coreXml(kind));
  add('word/_rels/document.xml.rels', DOC_RELS);
  add('word/styles.xml', STYLES);
  add('word/document.xml', defaultDocumentXml(kind));
  return zip.generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** File names of the defaults in resources/templates/. */
export const DEFAULT_TEMPLATE_FILES: Record<NoticeKind, string> = {
  isolation: '居家隔离告知书.docx',
  release: '解除居家隔离通知书.docx',
  monitoring: '居家健康监测告知书.docx',
};
