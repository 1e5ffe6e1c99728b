// Issue 4's reading rules, each on a real .xlsx (or .csv) file through the real import: header detection, column
// synonyms, normalisation, every rejection reason and every warning (row as Excel shows it, column, Chinese reason).
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { csvText, idEndingInX, listFile, listRequest, people, STANDARD_HEADER, standardRows, wrongCheck, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber, checkChar } from '../../electron/shared/idcard.ts';
import { previewImport, runImport, type ResidentPreview } from '../../electron/excel/import/run.ts';
import { RESIDENT_SYNONYMS } from '../../electron/excel/import/columns.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import type { RowIssue } from '../../electron/excel/import/issues.ts';
import type { CellValue } from '../../electron/excel/cell.ts';

let dir: string;
let env: TestEnv;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-import-rules-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv();
});
afterEach(async () => env.close());

const CJK = /[\u4e00-\u9fff]/;
const toFull = (s: string) => s.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

async function file(content: SheetSpec | Buffer | string, ext = 'xlsx') {
  return listFile(dir, `list-${++n}.${ext}`, content);
}
async function preview(content: SheetSpec | Buffer | string, extra: Record<string, unknown> = {}, ext = 'xlsx'): Promise<ResidentPreview> {
  const p = await previewImport(env.ctx(), listRequest(await file(content, ext), extra));
  if (p.kind !== 'residents') throw new Error('not a resident preview');
  return p;
}
async function commit(content: SheetSpec | Buffer | string, extra: Record<string, unknown> = {}, ext = 'xlsx'): Promise<ImportSummary> {
  return (await runImport(env.ctx(), listRequest(await file(content, ext), extra))) as ImportSummary;
}
async function resident(name: string) {
  return env.handle.db
    .selectFrom('residents as r')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'r.communityId')
    .leftJoin('episodes as e', 'e.id', 'r.currentEpisodeId')
    .select(['r.name', 'r.docNumber', 'r.phone', 'r.sex', 'r.birthDate', 'r.notes', 'r.category', 'h.address', 'c.name as community', 'e.startDate'])
    .where('r.name', '=', name)
    .executeTakeFirstOrThrow();
}
const codes = (issues: RowIssue[]) => issues.map((i) => [i.row, i.code]);

const ID = (birth: string, seq: number) => makeIdNumber('131003', birth, seq);

describe('finding the header row', () => {
  it('skips two merged title rows; a title naming the community gives every row that community', async () => {
    const p = await preview({
      titles: ['广阳区解放道街道西大街社区居家隔离人员名单', '填报单位：西大街社区居委会　　2022年1月19日'],
      rows: [
        ['序号', '姓名', '身份证号', '联系电话', '小区', '楼号', '单元', '房号', '隔离开始日期'],
        [1, '王伟', ID('1980-01-02', 11), '13900000001', '金桥小区', 3, 2, 501, '2022-01-12'],
      ],
    });
    expect(p.headerRow).toBe(3);
    expect(p.title).toContain('居家隔离人员名单');
    expect(p.titleCommunity).toBe('西大街社区');
    expect(p.warnings.map((w) => w.code)).toContain('community-from-title');
    expect(p.errors).toEqual([]);
    const s = await commit({ titles: ['广阳区解放道街道西大街社区居家隔离人员名单'], rows: [['姓名', '身份证号', '小区', '楼号', '单元', '房号', '开始日期'], ['王伟', ID('1980-01-02', 11), '金桥小区', 3, 2, 501, '2022-01-12']] });
    expect(s.status).toBe('written');
    expect((await resident('王伟')).community).toBe('西大街社区');
  });

  it("warns when the title names another subdistrict than the office's own, not when it names its own", async () => {
    const rows = [
      ['姓名', '身份证号', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'],
      ['王伟', ID('1980-01-02', 11), '西大街社区', '金桥小区', 3, 2, 501, '2022-01-12'],
    ];
    const other = await preview({ titles: ['广阳区新华街道居家隔离人员名单'], rows });
    const w = other.warnings.find((x) => x.code === 'title-other-subdistrict');
    expect(w?.reason).toContain('新华街道');
    expect(w?.reason).toContain('请确认没有拿错名单');
    expect(other.errors).toEqual([]);
    for (const title of ['广阳区解放道街道居家隔离人员名单', '解放道街道办事处 西大街社区名单', '居家隔离人员名单']) {
      const own = await preview({ titles: [title], rows });
      expect(own.warnings.map((x) => x.code), title).not.toContain('title-other-subdistrict');
    }
  });

  it('unmerged title and subtitle cells above the header, and a header in row 10 at the latest', async () => {
    const above: CellValue[][] = [['居家隔离人员名单'], [], ['填表人：', '李四', '日期：', '2022-01-19'], [], [], [], [], [], []];
    const p = await preview({ rows: [...above, ['姓名', '身份证号', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'], ['王芳', ID('1981-02-03', 12), '华夏里社区', '芳菲苑', 1, 1, 101, '2022-01-12']] });
    expect(p.headerRow).toBe(10);
    expect(p.counts.valid).toBe(1);
    const late = previewImport(env.ctx(), listRequest(await file({ rows: [...above, [], ['姓名', '身份证号', '小区'], ['王芳', ID('1981-02-03', 12), '芳菲苑']] })));
    await expect(late).rejects.toThrow(/前 10 行中没有找到表头/);
  });

  it('every column synonym of the issue is recognised (and none is reported as unknown)', async () => {
    const fields = ['name', 'docNumber', 'phone', 'sex', 'community', 'compound', 'building', 'unit', 'room', 'startDate', 'notes', 'docType', 'category'] as const;
    const widest = Math.max(...fields.map((f) => RESIDENT_SYNONYMS[f].length), RESIDENT_SYNONYMS.address.length);
    for (let v = 0; v < widest; v++) {
      const header = fields.map((f) => RESIDENT_SYNONYMS[f][v % RESIDENT_SYNONYMS[f].length]);
      const p = await preview({ rows: [header, ['王伟', ID('1980-01-02', 11), '13900000001', '男', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-12', '独居', '居民身份证', '密接']] });
      expect(Object.fromEntries(p.mapping.map((m) => [m.header, m.field])), header.join(',')).toEqual(Object.fromEntries(header.map((h, i) => [h, fields[i]])));
      expect(p.warnings.filter((w) => w.code === 'column-ignored')).toEqual([]);
      expect(p.errors, header.join(',')).toEqual([]);
      // The address column, on its own instead of the four place columns.
      const addr = RESIDENT_SYNONYMS.address[v % RESIDENT_SYNONYMS.address.length];
      const q = await preview({ rows: [['姓名', '身份证号', addr, '隔离开始日期'], ['王伟', ID('1980-01-02', 11), '金桥小区3号楼2单元501', '2022-01-12']] }, { community: '西大街社区' });
      expect(q.mapping.find((m) => m.header === addr)?.field).toBe('address');
      expect(q.errors).toEqual([]);
    }
    // Every synonym the issue names is in the table.
    const issue: Record<string, string[]> = {
      name: ['姓名', '名字', '居民姓名', '隔离人员姓名'],
      docNumber: ['身份证号', '身份证号码', '证件号码', '公民身份号码', '身份证'],
      phone: ['联系电话', '手机号', '手机号码', '电话', '联系方式'],
      sex: ['性别'],
      community: ['社区', '所属社区', '居委会'],
      compound: ['小区', '小区名称', '所在小区'],
      building: ['楼号', '楼栋', '楼栋号', '栋'],
      unit: ['单元', '单元号'],
      room: ['房号', '房间号', '门牌号', '户号'],
      address: ['住址', '地址', '居住地址', '详细地址'],
      startDate: ['隔离开始日期', '开始隔离时间', '隔离起始日期', '隔离开始时间', '开始日期'],
      notes: ['备注'],
      docType: ['证件类型'],
      category: ['人员类别', '人员类型'],
    };
    for (const [f, words] of Object.entries(issue)) expect(RESIDENT_SYNONYMS[f as keyof typeof RESIDENT_SYNONYMS]).toEqual(expect.arrayContaining(words));
  });

  it('header names with full-width letters, spaces, line breaks and marks; unknown columns listed as a warning', async () => {
    const p = await preview({
      rows: [
        ['　姓　名　', ' 身份证号码 ', '联系电话：', '社\n区', '小区*', '楼号', '单元', '房号', '隔离开始日期（必填）'.replace('（必填）', '（）'), '工作单位', 'ＱＱ号'],
        ['王伟', ID('1980-01-02', 11), '13900000001', '西大街社区', '金桥小区', 3, 2, 501, '2022-01-12', '某某公司', '12345'],
      ],
    });
    const fieldOf = (h: string) => p.mapping.find((m) => m.header.replace(/\s/g, '') === h)?.field;
    expect(fieldOf('姓名')).toBe('name');
    expect(fieldOf('身份证号码')).toBe('docNumber');
    expect(fieldOf('联系电话：')).toBe('phone');
    expect(fieldOf('社区')).toBe('community');
    expect(fieldOf('小区*')).toBe('compound');
    expect(fieldOf('隔离开始日期（）')).toBe('startDate');
    const ignored = p.warnings.filter((w) => w.code === 'column-ignored');
    expect(ignored.map((w) => w.row)).toEqual([null, null]);
    expect(ignored.map((w) => w.reason).join()).toContain('工作单位');
    expect(ignored.map((w) => w.reason).join()).toContain('ＱＱ号');
    expect(p.errors).toEqual([]);
  });

  it('reads the first sheet with content, or the one named (--sheet)', async () => {
    const spec: SheetSpec = {
      before: [
        { name: '说明', rows: [] },
        { name: '第一批', rows: [['姓名', '身份证号', '社区', '小区', '开始日期'], ['张一', ID('1970-01-01', 21), '西大街社区', '金桥小区', '2022-01-12']] },
      ],
      sheetName: '第二批',
      rows: [['姓名', '身份证号', '社区', '小区', '开始日期'], ['张二', ID('1970-01-01', 22), '西大街社区', '金桥小区', '2022-01-12'], ['张三', ID('1970-01-01', 23), '西大街社区', '金桥小区', '2022-01-12']],
    };
    const first = await preview(spec);
    expect(first.sheetName).toBe('第一批');
    expect(first.sheetNames).toEqual(['说明', '第一批', '第二批']);
    expect(first.counts.valid).toBe(1);
    const second = await commit(spec, { sheet: '第二批' });
    expect(second.imported).toBe(2);
    expect((await resident('张三')).docNumber).toBe(ID('1970-01-01', 23));
    await expect(preview(spec, { sheet: '第三批' })).rejects.toThrow(/找不到名为“第三批”的工作表/);
  });
});

describe('normalisation', () => {
  const H = ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
  const place = ['西大街社区', '金桥小区', 3, 2, 501];

  it('ID numbers and phones: full-width digits, inner spaces, lowercase x, +86 and dashes, 15-digit upgrade', async () => {
    const a = ID('1985-06-15', 1);
    const b = ID('1985-06-15', 2);
    const x = idEndingInX();
    const old15 = '131003850615123';
    const old15b = '131003850615124';
    const up = (s: string) => {
      const first17 = s.slice(0, 6) + '19' + s.slice(6);
      return first17 + checkChar(first17);
    };
    const s = await commit({
      rows: [
        H,
        ['全角', toFull(a), toFull('13912345678'), ...place, '2022-01-12'],
        ['空格', `${b.slice(0, 6)} ${b.slice(6, 14)} ${b.slice(14)}`, '139 1234 5679', ...place, '2022-01-12'],
        ['小写', x.toLowerCase(), '+86 139-1234-5680', ...place, '2022-01-12'],
        ['旧号', old15, '+8613912345681', ...place, '2022-01-12'],
        ['旧号数字', Number(old15b), '139-1234-5682', ...place, '2022-01-12'],
      ],
    });
    expect(s.errors).toEqual([]);
    expect(s.imported).toBe(5);
    expect(await resident('全角')).toMatchObject({ docNumber: a, phone: '13912345678' });
    expect(await resident('空格')).toMatchObject({ docNumber: b, phone: '13912345679' });
    expect(await resident('小写')).toMatchObject({ docNumber: x, phone: '13912345680' });
    expect(await resident('旧号')).toMatchObject({ docNumber: up(old15), phone: '13912345681', birthDate: '1985-06-15', sex: 'M' });
    expect(await resident('旧号数字')).toMatchObject({ docNumber: up(old15b), phone: '13912345682', sex: 'F' });
    const upgraded = s.warnings.filter((w) => w.code === 'id-upgraded');
    expect(upgraded.map((w) => w.row)).toEqual([5, 6]);
    expect(upgraded[0].reason).toContain(up(old15));
  });

  it('start dates from date cells, Excel serial numbers and every text form', async () => {
    const forms: [string, CellValue, string][] = [
      ['日期格', new Date(Date.UTC(2022, 0, 5)), '2022-01-05'],
      ['序列号', 44567, '2022-01-06'],
      ['横线', '2022-01-07', '2022-01-07'],
      ['斜线', '2022/1/8', '2022-01-08'],
      ['点号', '2022.1.9', '2022-01-09'],
      ['中文', '2022年1月10日', '2022-01-10'],
      ['全角中文', '２０２２年１月１１日', '2022-01-11'],
      ['带时间', '2022/01/12 08:30', '2022-01-12'],
    ];
    const s = await commit({ rows: [H, ...forms.map(([name, d], i) => [name, ID('1990-03-04', 30 + i), '13900000000', ...place, d])] });
    expect(s.errors).toEqual([]);
    for (const [name, , want] of forms) expect((await resident(name)).startDate, name).toBe(want);
  });

  it('a row without a start date takes the chosen date (--start-date), else it is rejected', async () => {
    const rows: CellValue[][] = [H, ['无日期', ID('1990-03-04', 50), '13900000000', ...place, null], ['有日期', ID('1990-03-04', 51), '13900000000', ...place, '2022-01-11']];
    const without = await preview({ rows });
    expect(without.errors).toMatchObject([{ row: 2, code: 'start-date-missing', column: '隔离开始日期', reason: expect.stringContaining('缺少隔离开始日期') }]);
    const noColumn = await preview({ rows: rows.map((r) => r.slice(0, -1)) });
    expect(codes(noColumn.errors)).toEqual([
      [2, 'start-date-missing'],
      [3, 'start-date-missing'],
    ]);
    const s = await commit({ rows }, { startDate: '2022-01-15' });
    expect(s.errors).toEqual([]);
    expect((await resident('无日期')).startDate).toBe('2022-01-15');
    expect((await resident('有日期')).startDate).toBe('2022-01-11');
  });

  it('one address column is parsed into compound, building, unit and room', async () => {
    const s = await commit(
      {
        rows: [
          ['姓名', '身份证号', '住址', '隔离开始日期'],
          ['甲', ID('1990-03-04', 60), '金桥小区3号楼2单元501', '2022-01-12'],
          ['乙', ID('1990-03-04', 61), '侍郎房5-1-302', '2022-01-12'],
          ['丙', ID('1990-03-04', 62), '常春里12栋3单元201室', '2022-01-12'],
          ['丁', ID('1990-03-04', 63), '金桥小区3号楼2单元501', '2022-01-12'],
        ],
      },
      { community: '华夏里社区' },
    );
    expect(s.errors).toEqual([]);
    expect(s.households).toBe(3);
    expect(await resident('甲')).toMatchObject({ community: '华夏里社区', address: '金桥小区3号楼2单元501' });
    expect(await resident('乙')).toMatchObject({ address: '侍郎房5号楼1单元302' });
    expect(await resident('丙')).toMatchObject({ address: '常春里12号楼3单元201' });
    const chain = await env.handle.db
      .selectFrom('households as h')
      .innerJoin('places as room', 'room.id', 'h.roomId')
      .innerJoin('places as unit', 'unit.id', 'room.parentId')
      .innerJoin('places as b', 'b.id', 'unit.parentId')
      .innerJoin('places as c', 'c.id', 'b.parentId')
      .select(['c.name as compound', 'b.name as building', 'unit.name as unit', 'room.name as room'])
      .orderBy('h.id')
      .execute();
    expect(chain).toEqual([
      { compound: '金桥小区', building: '3号楼', unit: '2单元', room: '501' },
      { compound: '侍郎房', building: '5号楼', unit: '1单元', room: '302' },
      { compound: '常春里', building: '12号楼', unit: '3单元', room: '201' },
    ]);
  });
});

describe('rejected rows: row as Excel shows it, column, value and a Chinese reason', () => {
  it('each reason, with title rows above and a blank row in between', async () => {
    const ok = ID('1975-05-05', 70);
    const dup = ID('1975-05-05', 71);
    const bad = ID('1975-05-05', 72);
    const rows: CellValue[][] = [
      ['序号', '姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'],
      [1, '', ID('1975-05-05', 73), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // row 4
      [2, '缺号', '', '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 5
      [3, '数字格', Number('131003197505050123'), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 6
      [4, '科学计数', '1.31003E+17', '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 7
      [5, '校验位', wrongCheck(bad), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 8
      [null, null, null, null, null, null, null, null, null, null], // 9: blank, skipped silently
      [6, '二月三十', makeIdNumber('131003', '1990-02-30', 1), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 10
      [7, '未出生', makeIdNumber('131003', '2023-03-01', 1), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 11
      [8, '日期乱写', ID('1975-05-05', 74), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '下周一'], // 12
      [9, '第一次', dup, '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 13
      [10, '第二次', dup, '13900000000', '西大街社区', '金桥小区', 1, 1, 102, '2022-01-12'], // 14
      [11, '将来', ID('1975-05-05', 75), '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-25'], // 15
      [12, '正常', ok, '13900000000', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'], // 16
    ];
    const p = await preview({ titles: ['西大街社区居家隔离人员名单', '2022年1月19日'], rows });
    expect(p.headerRow).toBe(3);
    expect(p.counts).toMatchObject({ dataRows: 12, blankRows: 1, valid: 2, rejected: 10 });
    const byRow = new Map(p.errors.map((e) => [e.row, e]));
    const expectIssue = (row: number, code: string, column: string, words: RegExp, value?: string) => {
      const e = byRow.get(row);
      expect(e, `row ${row}`).toBeDefined();
      expect(e).toMatchObject({ code, column });
      expect(e!.reason).toMatch(CJK);
      expect(e!.reason).toMatch(words);
      if (value !== undefined) expect(e!.value).toBe(value);
    };
    expectIssue(4, 'name-missing', '姓名', /缺少姓名/);
    expectIssue(5, 'id-missing', '身份证号', /缺少身份证号/);
    expectIssue(6, 'id-number-cell-precision-lost', '身份证号', /数字格式.*已丢失/);
    expect(byRow.get(6)!.reason).not.toContain('131003197505050123');
    expectIssue(7, 'id-scientific-notation', '身份证号', /科学计数法/, '1.31003E+17');
    expectIssue(8, 'id-checksum', '身份证号', /校验位/, wrongCheck(bad));
    expectIssue(10, 'id-birth-date-impossible', '身份证号', /出生日期 1990-02-30/);
    expectIssue(11, 'id-birth-date-future', '身份证号', /晚于今天/);
    expectIssue(12, 'start-date-unreadable', '隔离开始日期', /无法识别/, '下周一');
    expectIssue(14, 'id-duplicate-in-file', '身份证号', /第13行/);
    expectIssue(15, 'start-date-future', '隔离开始日期', /2022-01-25.*晚于今天/);
    expect(byRow.get(4)!.cell).toBe('B4');
    expect(byRow.get(12)!.cell).toBe('J12');
    expect([...byRow.keys()].sort((x, y) => x! - y!)).toEqual([4, 5, 6, 7, 8, 10, 11, 12, 14, 15]);
    // Nothing about the blank row.
    expect([...p.errors, ...p.warnings].some((i) => i.row === 9)).toBe(false);
  });
});

describe('warnings: imported anyway, but said', () => {
  it('phone missing or not mobile, sex contradicting the ID number, start over 30 days ago, ignored columns', async () => {
    const male = ID('1966-06-06', 81); // odd sequence → male
    const s = await commit({
      rows: [
        ['姓名', '身份证号', '性别', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期', '工作单位'],
        ['无电话', ID('1966-06-06', 80), '女', null, '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12', '某厂'],
        ['座机', ID('1966-06-06', 82), '女', '0316-2345678', '西大街社区', '金桥小区', 1, 1, 102, '2022-01-12', null],
        ['性别不符', male, '女', '13900000000', '西大街社区', '金桥小区', 1, 1, 103, '2022-01-12', null],
        ['三十一天', ID('1966-06-06', 84), '女', '13900000000', '西大街社区', '金桥小区', 1, 1, 104, '2021-12-20', null],
        ['三十天', ID('1966-06-06', 86), '女', '13900000000', '西大街社区', '金桥小区', 1, 1, 105, '2021-12-21', null],
      ],
    });
    expect(s.status).toBe('written');
    expect(s.imported).toBe(5);
    expect(s.errors).toEqual([]);
    const w = (code: string) => s.warnings.filter((x) => x.code === code);
    expect(w('phone-missing')).toMatchObject([{ row: 2, column: '联系电话', reason: expect.stringMatching(/未填写联系电话/) }]);
    expect(w('phone-not-mobile')).toMatchObject([{ row: 3, column: '联系电话', value: '0316-2345678', reason: expect.stringMatching(/不是常见的手机号码/) }]);
    expect(w('sex-mismatch')).toMatchObject([{ row: 4, column: '性别', reason: expect.stringMatching(/性别与身份证号不符.*男/) }]);
    expect(w('start-date-old')).toMatchObject([{ row: 5, column: '隔离开始日期', reason: expect.stringMatching(/30 天以前/) }]);
    expect(w('column-ignored')).toMatchObject([{ row: null, reason: expect.stringContaining('工作单位') }]);
    expect(await resident('性别不符')).toMatchObject({ sex: 'M' });
    // Dashes are stripped from every phone; a landline is kept (with its warning), never dropped.
    expect(await resident('座机')).toMatchObject({ phone: '03162345678' });
    expect(await resident('无电话')).toMatchObject({ phone: null });
    expect(await resident('三十一天')).toMatchObject({ startDate: '2021-12-20' });
  });
});

describe('CSV in UTF-8 and GBK imports the same people as the .xlsx', () => {
  it('three files, three databases, identical residents', async () => {
    const list = people(30);
    const rows = [STANDARD_HEADER, ...standardRows(list)];
    const snapshot = async () =>
      (
        await env.handle.db
          .selectFrom('residents as r')
          .innerJoin('households as h', 'h.id', 'r.householdId')
          .innerJoin('places as c', 'c.id', 'r.communityId')
          .leftJoin('episodes as e', 'e.id', 'r.currentEpisodeId')
          .select(['r.name', 'r.docNumber', 'r.phone', 'r.sex', 'h.address', 'c.name as community', 'e.startDate'])
          .orderBy('r.docNumber')
          .execute()
      ).map((r) => ({ ...r }));
    const xs = await commit({ rows });
    expect(xs.imported).toBe(30);
    const fromXlsx = await snapshot();
    expect(fromXlsx.map((r) => r.name).sort()).toEqual(list.map((p) => p.name).sort());
    for (const [label, data] of [
      ['utf8', Buffer.from('\ufeff' + csvText(rows), 'utf8')],
      ['utf8-no-bom', Buffer.from(csvText(rows), 'utf8')],
      ['gbk', iconv.encode(csvText(rows), 'gbk')],
    ] as const) {
      await env.close();
      env = await makeEnv();
      const s = await commit(data, {}, 'csv');
      expect(s.errors, label).toEqual([]);
      expect(s.imported, label).toBe(30);
      expect(await snapshot(), label).toEqual(fromXlsx);
    }
  });
});
