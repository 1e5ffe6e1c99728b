// Reading uploaded files safely: extension, size, zip inspection before parsing, CSV encodings, sheet choice.
import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { decodeText, parseCsv, readTable, FileUnreadable, DEFAULT_ZIP_LIMITS, type FileErrorKind } from '../../electron/excel/read.ts';
import { makeZip } from '../helpers/zip.ts';
import { xlsxBuffer } from '../helpers/lists.ts';

const MB = 1024 * 1024;
const read = (data: Buffer, fileName = 'list.xlsx', extra: { sheet?: string; maxBytes?: number } = {}) => readTable(data, { fileName, maxBytes: extra.maxBytes ?? 50 * MB, sheet: extra.sheet });

async function refused(p: Promise<unknown>, kind: FileErrorKind | FileErrorKind[], words: string) {
  const e = (await p.then(() => null, (err) => err)) as FileUnreadable | null;
  expect(e).toBeInstanceOf(FileUnreadable);
  expect([kind].flat()).toContain((e!.details as { fileError: FileErrorKind }).fileError);
  expect(e!.message).toContain(words);
  return e!;
}

describe('hostile and wrong files are refused with a Chinese message before any parser runs', () => {
  it('random bytes named .xlsx', async () => {
    const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251));
    await refused(read(junk), 'not-zip', '不是有效的 .xlsx');
  });

  it('a truncated workbook (download cut off half-way)', async () => {
    const good = await xlsxBuffer({ rows: [['姓名', '身份证号'], ['张三', '11010519491231002X']] });
    await refused(read(good.subarray(0, Math.floor(good.length / 2))), 'not-zip', '没有下载完整');
  });

  it('a zip bomb: one entry inflating a thousandfold', async () => {
    const bomb = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
      { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(40 * MB) },
    ]);
    expect(bomb.length).toBeLessThan(MB);
    await refused(read(bomb), 'zip-bomb', '压缩比');
  });

  it('a zip bomb whose headers lie about the size is stopped while inflating', async () => {
    const liar = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.alloc(40 * MB), declaredSize: 100 },
    ]);
    await refused(read(liar), ['zip-bomb', 'not-zip'], '');
  });

  it('a workbook whose sheet bytes were damaged in transit (CRC mismatch)', async () => {
    const good = await xlsxBuffer({ rows: [['姓名', '身份证号'], ...Array.from({ length: 200 }, (_, i) => [`张${i}`, '11010519491231002X'])] });
    const at = good.indexOf(Buffer.from('xl/worksheets/sheet1.xml')) + 200;
    const bad = Buffer.from(good);
    bad[at] ^= 0xff;
    await refused(read(bad), ['not-zip', 'unreadable'], '');
  });

  it('a zip of too many parts', async () => {
    const many = makeZip(Array.from({ length: DEFAULT_ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `x/${i}.xml`, data: Buffer.from('a') })));
    await refused(read(many), 'zip-bomb', '部件');
  });

  it('a zip that is not a workbook (a renamed Word file)', async () => {
    const docx = makeZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'word/document.xml', data: Buffer.from('<w:document/>') },
    ]);
    await refused(read(docx), 'not-excel', '不是 Excel 工作簿');
  });

  it('a file over the size limit, an empty file, old .xls and WPS .et names', async () => {
    await refused(read(Buffer.alloc(2 * MB, 1), 'list.xlsx', { maxBytes: MB }), 'too-large', '超过上限 1 MB');
    await refused(read(Buffer.alloc(0)), 'empty-file', '0 字节');
    await refused(read(Buffer.from('x'), '名单.xls'), 'extension', '另存为');
    await refused(read(Buffer.from('x'), '名单.et'), 'extension', 'WPS');
    await refused(read(Buffer.from('x'), '名单.pdf'), 'extension', '.xlsx 或 .csv');
  });

  it('a workbook whose sheet is empty', async () => {
    await refused(read(await xlsxBuffer({ rows: [] })), 'empty-sheet', '没有任何内容');
    await refused(read(Buffer.from('\r\n,,\r\n'), 'list.csv'), 'empty-sheet', '没有任何内容');
  });
});

describe('sheets and cells', () => {
  it('takes the first sheet with content unless one is named; an unknown name lists the sheets', async () => {
    const data = await xlsxBuffer({ before: [{ name: '说明', rows: [] }], sheetName: '名单', rows: [['姓名'], ['张三']] });
    const t = await read(data);
    expect(t.sheetName).toBe('名单');
    expect(t.sheetNames).toEqual(['说明', '名单']);
    expect(t.rows[1]).toEqual(['张三']);
    await refused(read(data, 'list.xlsx', { sheet: '第三页' }), 'no-sheet', '说明、名单');
  });

  it('keeps numbers as numbers, dates as dates, and flattens rich text and formulas', async () => {
    const data = await xlsxBuffer({ rows: [[131003199001129460, new Date(Date.UTC(2022, 0, 12)), { richText: [{ text: '张' }, { text: '三' }] } as never, { formula: '1+1', result: 2 } as never]] });
    const t = await read(data);
    expect(typeof t.rows[0][0]).toBe('number');
    expect(t.rows[0][1]).toEqual(new Date(Date.UTC(2022, 0, 12)));
    expect(t.rows[0].slice(2)).toEqual(['张三', 2]);
  });
});

describe('CSV', () => {
  const text = '姓名,身份证号,住址\r\n张三,11010519491231002X,"金桥小区3号楼2单元501"\r\n"李""四",110105194912310021,"多行\n地址"\r\n';
  it('decodes UTF-8 with and without BOM, GBK (as WPS saves it) and UTF-16', () => {
    expect(decodeText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]))).toBe(text);
    expect(decodeText(iconv.encode(text, 'gbk'))).toBe(text);
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).toBe(text);
  });

  it('parses quotes, doubled quotes and line breaks inside quotes', () => {
    expect(parseCsv(text)).toEqual([
      ['姓名', '身份证号', '住址'],
      ['张三', '11010519491231002X', '金桥小区3号楼2单元501'],
      ['李"四', '110105194912310021', '多行\n地址'],
    ]);
  });

  it('reads a GBK file as a table; tab-separated text too', async () => {
    const t = await read(iconv.encode(text, 'gbk'), '名单.csv');
    expect(t.format).toBe('csv');
    expect(t.rows[1][0]).toBe('张三');
    const tsv = await read(Buffer.from('姓名\t身份证号\n王五\t1\n'), 'x.csv');
    expect(tsv.rows[1]).toEqual(['王五', '1']);
  });
});
