// A spare job worker's warm-up (jobs/worker.ts): before any job comes, it imports a made-up list into a database that
// lives in memory only, through the same code a real import runs — reading the workbook's XML, checking the rows,
// writing the people. A job then runs code V8 has already compiled and optimised, in a heap and a SQLite allocator
// that have already grown, instead of paying for both while the clerk waits (~0.1–0.3 s of a 50,000-row import;
// it costs the spare ~0.5 s of CPU and ~50 MB more while it waits).
// Nothing here touches the office's database file, and nothing of it outlives the warm-up but that warmth.
import { openDatabase } from '../../db/open.ts';
import { jobConnection } from '../../db/job-connection.ts';
import { SYSTEM_ACTOR } from '../../domain/actor.ts';
import { fixedClock } from '../../domain/clock.ts';
import { makeIdNumber } from '../../shared/idcard.ts';
import { setOrgIdentity } from '../../domain/places.ts';
import { openXlsx } from '../xlsx-read.ts';
import type { CellValue } from '../cell.ts';
import { analyseResidents } from './residents.ts';
import { commitResidents, type ImportSummary } from './commit.ts';

const HEADER = ['序号', '姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'];
const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰';

/** The made-up list: `n` people in two communities, as an upstream office's sheet would hold them. */
function rows(n: number): CellValue[][] {
  const out: CellValue[][] = [['某区某街道居家隔离人员名单'], HEADER];
  for (let i = 0; i < n; i++) {
    const birth = `${1950 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    out.push([
      i + 1,
      SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length] + GIVEN[(i * 13) % GIVEN.length],
      makeIdNumber(String(110101 + Math.floor(i / 999)), birth, i % 999),
      `139${String(10000000 + i).slice(-8)}`,
      i % 2 ? '东社区' : '西社区',
      `${['金桥', '常春', '芳菲'][i % 3]}小区`,
      1 + (Math.floor(i / 40) % 20),
      1 + (i % 4),
      101 + (Math.floor(i / 4) % 500),
      // A current list (its period not over on the rehearsal's 2022-01-20), as most are: no stale choice is needed.
      '2022-01-18',
    ]);
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The list as the XML parts of a workbook (shared strings, numbers), read back with the import's own reader. */
function asWorkbook(table: CellValue[][]) {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const cell = (v: CellValue, ref: string) => {
    if (typeof v === 'number') return `<c r="${ref}"><v>${v}</v></c>`;
    const s = String(v);
    let i = index.get(s);
    if (i === undefined) index.set(s, (i = strings.push(s) - 1));
    return `<c r="${ref}" t="s"><v>${i}</v></c>`;
  };
  const sheet = table.map((r, i) => `<row r="${i + 1}">${r.map((v, j) => cell(v, String.fromCharCode(65 + j) + (i + 1))).join('')}</row>`).join('');
  const parts = new Map<string, Buffer>([
    ['xl/workbook.xml', Buffer.from('<workbook><sheets><sheet name="名单" r:id="rId1"/></sheets></workbook>')],
    ['xl/worksheets/sheet1.xml', Buffer.from(`<worksheet><sheetData>${sheet}</sheetData></worksheet>`)],
    ['xl/sharedStrings.xml', Buffer.from(`<sst>${strings.map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`)],
  ]);
  return openXlsx({ has: (n) => parts.has(n), read: (n) => parts.get(n) });
}

/** Imports `n` made-up people into an in-memory database and gives the import's summary. */
export async function rehearseImport(n = 5000): Promise<ImportSummary> {
  const book = asWorkbook(rows(n));
  const sheet = book.readSheet(book.sheets[0]);
  const handle = await openDatabase(':memory:', { create: true });
  try {
    const { db, bulkInsert } = jobConnection(handle);
    const ctx = { db, bulkInsert, actor: SYSTEM_ACTOR, clock: fixedClock('2022-01-20T01:00:00.000Z') };
    await setOrgIdentity(ctx, '某区', '某街道');
    const analysis = analyseResidents({ sheetName: '名单', sheetNames: ['名单'], rows: sheet, date1904: false, format: 'xlsx' }, {}, { today: '2022-01-20', orgNames: ['某区', '某街道'] });
    // Its two communities are new to the empty database: created as a clerk confirming them would have them created.
    return await commitResidents(ctx, analysis, { mode: 'all-or-nothing', fileName: 'rehearsal.xlsx', confirm: { createCommunities: ['东社区', '西社区'] } });
  } finally {
    await handle.close();
  }
}
