// Faults of the .xlsx reader found by running it over a thousand real workbooks (Excel for Windows/Mac/Online, WPS,
// Tencent Docs, LibreOffice, POI, …), each rebuilt here as a small workbook of hand-written parts (or, for the OLE
// containers, real files in test/fixtures: old-excel-97.xls saved by LibreOffice 7.4 from a two-row list, and
// password-protected.xlsx, LibreOffice's .xlsx of the same list encrypted (agile encryption, as Excel and WPS do, password
// "secret") by the npm package officecrypto-tool 0.0.19, which writes the EncryptionInfo and EncryptedPackage streams).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { readTable, FileUnreadable, type FileErrorKind, type Table } from '../../electron/excel/read.ts';
import { decodeXstring } from '../../electron/excel/xlsx-read.ts';
import { makeZip, type ZipEntry } from '../helpers/zip.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');
const read = (data: Buffer, sheet?: string) => readTable(data, { fileName: 'list.xlsx', maxBytes: 100 * 1024 * 1024, sheet });

async function refused(data: Buffer, kind: FileErrorKind, words: string) {
  const e = (await read(data).then(() => null, (err: unknown) => err)) as FileUnreadable | null;
  expect(e).toBeInstanceOf(FileUnreadable);
  expect(e!.details).toEqual({ fileError: kind });
  expect(e!.message).toContain(words);
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS = `xmlns="${MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`;
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const rels = (list: [string, string, string][]) =>
  `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${list.map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`).join('')}</Relationships>`;
const sheetXml = (rows: string) => `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>${rows}</sheetData></worksheet>`;
const sst = (items: string[]) => `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}>${items.map((t) => `<si><t xml:space="preserve">${t}</t></si>`).join('')}</sst>`;

interface BookSpec {
  sheets?: { name: string; xml: string; state?: 'hidden' | 'veryHidden' }[];
  strings?: string[];
  styles?: string;
  /** What goes between <workbook> and <sheets>, and after </sheets>. */
  workbookPr?: string;
  extLst?: string;
  /** Rename or re-encode parts: name → [new name, bytes] (null drops the part). */
  parts?: (e: ZipEntry) => ZipEntry | null;
}

/** A workbook as Excel lays it out (xl/workbook.xml, its rels, sheets, shared strings, styles), before `parts` edits it. */
function book(spec: BookSpec): Buffer {
  const sheets = spec.sheets ?? [{ name: '名单', xml: sheetXml('') }];
  const entries: ZipEntry[] = [
    { name: '[Content_Types].xml', data: Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>') },
    { name: '_rels/.rels', data: Buffer.from(rels([['rId1', 'officeDocument', 'xl/workbook.xml']])) },
    {
      name: 'xl/workbook.xml',
      data: Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS}>${spec.workbookPr ?? ''}<sheets>${sheets
          .map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}"${s.state ? ` state="${s.state}"` : ''} r:id="rId${i + 1}"/>`)
          .join('')}</sheets>${spec.extLst ?? ''}</workbook>`,
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: Buffer.from(
        rels([
          ...sheets.map((_, i): [string, string, string] => [`rId${i + 1}`, 'worksheet', `worksheets/sheet${i + 1}.xml`]),
          ['rIdS', 'sharedStrings', 'sharedStrings.xml'],
          ['rIdT', 'styles', 'styles.xml'],
        ]),
      ),
    },
    ...sheets.map((s, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data: Buffer.from(s.xml) })),
    { name: 'xl/sharedStrings.xml', data: Buffer.from(sst(spec.strings ?? [])) },
    { name: 'xl/styles.xml', data: Buffer.from(`<?xml version="1.0"?><styleSheet ${NS}>${spec.styles ?? ''}</styleSheet>`) },
  ];
  return makeZip(entries.map((e) => (spec.parts ? spec.parts(e) : e)).filter((e): e is ZipEntry => e !== null));
}

const HEADER_ROW = '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" t="s"><v>3</v></c></row>';
const LIST_STRINGS = ['西大街社区居家隔离人员名单', '姓名', '身份证号', '联系电话', '张三'];

describe('cells read wrong without a word', () => {
  it('an empty shared-string cell <v/> is empty, not shared string #0 (the title); an empty boolean is not false', async () => {
    const rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + HEADER_ROW + '<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3"><v>1</v></c><c r="C3" t="s"><v/></c><c r="D3" t="s"><v></v></c><c r="E3" t="s"><v> </v></c><c r="F3" t="b"><v/></c></row>';
    const t = await read(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], strings: LIST_STRINGS }));
    expect(t.rows[0]).toEqual(['西大街社区居家隔离人员名单']);
    expect(t.rows[2]).toEqual(['张三', 1]);
  });

  it("Excel's _xHHHH_ escapes are decoded in shared strings, inline strings and formula text", async () => {
    const strings = ['幸福小区3栋_x000D_\n2单元501', 'A_x005F_x0041_B', '制表_x0009_符', '无转义_x12_'];
    const rows =
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>' +
      '<row r="2"><c r="A2" t="inlineStr"><is><r><t>金桥_x000d_</t></r><r><t xml:space="preserve">&#10;小区</t></r></is></c><c r="B2" t="str"><f>A1</f><v>公式_x000D_结果</v></c></row>';
    const t = await read(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], strings }));
    expect(t.rows[0]).toEqual(['幸福小区3栋\r\n2单元501', 'A_x0041_B', '制表\t符', '无转义_x12_']);
    expect(t.rows[1]).toEqual(['金桥\r\n小区', '公式\r结果']);
    expect(decodeXstring('_x005F_x005F_')).toBe('_x005F_');
  });

  it('the 1904 date flag survives the x14:/x15:workbookPr that Excel 2016+ writes in extLst', async () => {
    const styles = '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs>';
    const extLst =
      '<extLst><ext uri="{140A7094-0E35-4892-8432-C4D2E57EDEB5}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><x15:workbookPr chartTrackingRefBase="1"/></ext>' +
      '<ext uri="{B58B0392-4F1F-4190-BB64-5DF3571DCE5F}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:workbookPr defaultImageDpi="220"/></ext></extLst>';
    // 2022-01-12 is serial 44573 on the 1900 system, 43111 on the 1904 one.
    const rows = '<row r="1"><c r="A1" s="1"><v>43111</v></c></row>';
    const t = await read(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], workbookPr: '<workbookPr date1904="1" defaultThemeVersion="166925"/>', extLst, styles }));
    expect(t.date1904).toBe(true);
    expect(t.rows[0][0]).toEqual(new Date(Date.UTC(2022, 0, 12)));
  });

  it('number formats of conditional formats (dxfs) do not change what a cell style shows', async () => {
    const styles =
      '<numFmts count="1"><numFmt numFmtId="176" formatCode="0.0"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="176"/></cellXfs>' +
      '<dxfs count="1"><dxf><numFmt numFmtId="176" formatCode="yyyy-mm-dd"/></dxf></dxfs>';
    const t = await read(book({ sheets: [{ name: '名单', xml: sheetXml('<row r="1"><c r="A1" s="1"><v>37.5</v></c></row>') }], styles }));
    expect(t.rows[0][0]).toBe(37.5);
  });
});

describe('packages other readers open', () => {
  const list = () => book({ sheets: [{ name: '名单', xml: sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>') }], strings: LIST_STRINGS });
  const expectList = (t: Table) => expect(t.rows).toEqual([['西大街社区居家隔离人员名单', '张三']]);

  it('a zip with bytes after its end record (911 bytes of padding; padding holding a stray end signature)', async () => {
    expectList(await read(Buffer.concat([list(), Buffer.alloc(911)])));
    const noise = Buffer.alloc(3000, 0x20);
    noise.write('PK\u0005\u0006', 1000, 'latin1');
    expectList(await read(Buffer.concat([list(), noise])));
    // Only what follows the record is cut: a zip cut short is still refused.
    const whole = list();
    await refused(whole.subarray(0, whole.length - 10), 'not-zip', '没有下载完整');
  });

  it('part names in another case ([content_types].xml, xl/SharedStrings.xml, XL/Worksheets/Sheet1.xml)', async () => {
    const upper: Record<string, string> = { '[Content_Types].xml': '[content_types].xml', 'xl/sharedStrings.xml': 'xl/SharedStrings.xml', 'xl/worksheets/sheet1.xml': 'XL/Worksheets/Sheet1.xml' };
    const data = book({ sheets: [{ name: '名单', xml: sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>') }], strings: LIST_STRINGS, parts: (e) => ({ ...e, name: upper[e.name] ?? e.name }) });
    expectList(await read(data));
  });

  it('a workbook part that is not xl/workbook.xml, found through _rels/.rels', async () => {
    const move = (e: ZipEntry): ZipEntry => {
      if (e.name === '_rels/.rels') return { ...e, data: Buffer.from(rels([['rId1', 'officeDocument', '/book/main.xml']])) };
      if (e.name === 'xl/_rels/workbook.xml.rels') return { ...e, name: 'book/_rels/main.xml.rels' };
      return { ...e, name: e.name.replace(/^xl\/workbook\.xml$/, 'book/main.xml').replace(/^xl\//, 'book/') };
    };
    const data = book({ sheets: [{ name: '名单', xml: sheetXml('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>') }], strings: LIST_STRINGS, parts: move });
    expectList(await read(data));
    // A package whose main part is a Word document is still "not Excel".
    const docx = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: '_rels/.rels', data: Buffer.from(rels([['rId1', 'officeDocument', 'word/document.xml']])) },
      { name: 'word/document.xml', data: Buffer.from('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>') },
    ]);
    await refused(docx, 'not-excel', '不是 Excel 工作簿');
  });

  it('parts declared in GBK are decoded; a declared encoding nobody knows is refused by name', async () => {
    const gbk = (e: ZipEntry): ZipEntry => {
      if (e.name !== 'xl/sharedStrings.xml' && e.name !== 'xl/workbook.xml') return e;
      const text = e.data.toString('utf8').replace('encoding="UTF-8"', 'encoding="GBK"');
      return { ...e, data: iconv.encode(text, 'gbk') };
    };
    const rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>';
    const t = await read(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], strings: LIST_STRINGS, parts: gbk }));
    expect(t.sheetName).toBe('名单');
    expect(t.rows).toEqual([['西大街社区居家隔离人员名单', '张三']]);
    expect(JSON.stringify(t.rows)).not.toContain('\ufffd');
    // A writer that declares GB2312 over UTF-8 bytes: the bytes win (decoding them as GBK would garble every name).
    const liar = (e: ZipEntry): ZipEntry => (e.name === 'xl/sharedStrings.xml' ? { ...e, data: Buffer.from(e.data.toString('utf8').replace('encoding="UTF-8"', 'encoding="GB2312"')) } : e);
    expect((await read(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], strings: LIST_STRINGS, parts: liar }))).rows[0][1]).toBe('张三');
    const unknown = (e: ZipEntry): ZipEntry => (e.name === 'xl/sharedStrings.xml' ? { ...e, data: Buffer.from(iconv.encode(e.data.toString('utf8'), 'gbk').toString('latin1').replace('encoding="UTF-8"', 'encoding="X-MAC-KLINGON"'), 'latin1') } : e);
    await refused(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], strings: LIST_STRINGS, parts: unknown }), 'encoding', '“X-MAC-KLINGON”');
  });

  it('UTF-16 parts without a byte order mark', async () => {
    const utf16 = (e: ZipEntry): ZipEntry => (e.name === 'xl/sharedStrings.xml' ? { ...e, data: Buffer.from(e.data.toString('utf8').replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le') } : e);
    const rows = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>';
    expectList(await read(book({ sheets: [{ name: '名单', xml: sheetXml(rows) }], strings: LIST_STRINGS, parts: utf16 })));
  });
});

describe('OLE containers named .xlsx get their own message', () => {
  it('a password-protected workbook (EncryptionInfo + EncryptedPackage)', async () => {
    const data = fs.readFileSync(path.join(FIXTURES, 'password-protected.xlsx'));
    await refused(data, 'encrypted', '此文件设有打开密码，请在 Excel/WPS 中取消密码后另存为 .xlsx');
  });

  it('an old .xls renamed .xlsx (a Workbook stream); another old Office document', async () => {
    const xls = fs.readFileSync(path.join(FIXTURES, 'old-excel-97.xls'));
    await refused(xls, 'old-xls', '这是旧版 .xls 文件');
    // The same container with its Workbook stream renamed (as a .doc's WordDocument would be): not Excel at all.
    const name = Buffer.from('Workbook', 'utf16le');
    const other = Buffer.from(xls);
    const at = other.indexOf(name);
    expect(at).toBeGreaterThan(0);
    Buffer.from('Xorkbook', 'utf16le').copy(other, at);
    await refused(other, 'not-excel', '不是 Excel 工作簿');
    // A container whose directory cannot be read is still not called a damaged zip.
    const broken = Buffer.from(xls);
    broken.writeUInt32LE(0xfffffff0, 0x30);
    await refused(broken, 'not-excel', '不是 Excel 工作簿');
  });
});

describe('hidden sheets', () => {
  const choices = sheetXml('<row r="1"><c r="A1" t="inlineStr"><is><t>男</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>女</t></is></c></row>');
  const list = sheetXml(HEADER_ROW);
  it('the first visible sheet with content is the default; hidden ones are listed and marked', async () => {
    const data = book({ sheets: [{ name: '下拉选项', xml: choices, state: 'hidden' }, { name: '宏', xml: choices, state: 'veryHidden' }, { name: '名单', xml: list }], strings: LIST_STRINGS });
    const t = await read(data);
    expect(t.sheetName).toBe('名单');
    expect(t.sheetNames).toEqual(['下拉选项', '宏', '名单']);
    expect(t.hiddenSheets).toEqual(['下拉选项', '宏']);
    // A hidden sheet can still be chosen by name.
    expect((await read(data, '下拉选项')).rows).toEqual([['男'], ['女']]);
  });

  it('a hidden sheet is taken only when no visible sheet has anything', async () => {
    const t = await read(book({ sheets: [{ name: '数据', xml: list, state: 'hidden' }, { name: '封面', xml: sheetXml('') }], strings: LIST_STRINGS }));
    expect(t.sheetName).toBe('数据');
  });
});
