// Shared by the export tests: a small scenario built with the domain functions, and readers that look at an exported
// file both through exceljs and as raw XML (so a formula or a full ID number cannot hide anywhere in the package).
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import type { TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { startEpisode } from '../../electron/domain/episodes.ts';
import { releaseEpisode } from '../../electron/domain/episodes-release.ts';
import { recordCheckIn } from '../../electron/domain/checkins.ts';
import { assignSupplyRequest, createSupplyRequest, markDelivered, startDelivery } from '../../electron/domain/supplies.ts';
import { createCadre } from '../../electron/domain/cadres.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';

export const HOSTILE_NAME = '=HYPERLINK("x")';
export const LONG_COMPOUND = '金桥花园小区东区二期';

export interface Scenario {
  ids: string[];
  phones: string[];
  residents: Record<string, number>;
}

/** Two communities' worth of people, check-ins, supply requests and cadres on 2022-01-20 (the test clock's today). */
export async function buildScenario(t: TestEnv): Promise<Scenario> {
  const ctx = t.ctx();
  const a = t.communities.a;
  const b = t.communities.b;
  const ids = [makeIdNumber('131002', '1990-03-07', 123), makeIdNumber('131002', '1985-11-20', 246), makeIdNumber('131003', '1972-05-01', 351), makeIdNumber('131003', '2001-08-15', 462)];
  const phones = ['13812345678', '13987654321', '15011112222', '18633334444'];
  const mk = async (name: string, i: number, communityId: number, compound: string, room: string, start: string, notes: string | null = null) => {
    const r = await createResident(ctx, {
      name,
      docType: '居民身份证',
      docNumber: ids[i],
      phone: phones[i],
      category: i === 2 ? '中高风险地区来返' : '密接',
      notes,
      address: { communityId, compound, building: '12', unit: '3', room },
    });
    const e = await startEpisode(ctx, { residentId: r.id, startDate: start });
    return { id: r.id, episode: e };
  };
  const zhang = await mk('张三', 0, a, '金桥小区', '501', '2022-01-14', '+1');
  const hostile = await mk(HOSTILE_NAME, 1, a, LONG_COMPOUND, '1502', '2022-01-16', '@SUM(A1)');
  const wang = await mk('王五', 2, b, '华夏小区', '301', '2022-01-12');
  const li = await mk('李四', 3, b, '华夏小区', '302', '2022-01-18', '-2');
  // 王五 is released today (the 7-day isolation ended 01-18), without test results: an override with a reason.
  await releaseEpisode(ctx, { episodeId: wang.episode.id, version: wang.episode.version, overrideReason: '检测结果纸质存档' });

  await recordCheckIn(ctx, { residentId: zhang.id, date: '2022-01-20', slot: 'am', temperature: 36.5, contactMethod: '电话' });
  await recordCheckIn(ctx, { residentId: zhang.id, date: '2022-01-19', slot: 'pm', temperature: 36.7, notes: '=1+1' });
  await recordCheckIn(ctx, { residentId: li.id, date: '2022-01-20', slot: 'am', temperature: 37.8, symptoms: ['咳嗽'] });
  await recordCheckIn(ctx, { residentId: hostile.id, date: '2022-01-20', slot: 'am', temperature: 36.4, healthCode: '绿' });

  const household = async (residentId: number) =>
    (await t.handle.db.selectFrom('residents').select('householdId').where('id', '=', residentId).executeTakeFirstOrThrow()).householdId;
  const compoundOf = async (residentId: number) =>
    (await t.handle.db.selectFrom('residents').innerJoin('households', 'households.id', 'residents.householdId').select('households.compoundId').where('residents.id', '=', residentId).executeTakeFirstOrThrow()).compoundId;

  const cadre = await createCadre(ctx, { name: '赵干部', homeUnit: '市住建局', title: '二级调研员', phone: '13700001111', communityId: a, compoundIds: [await compoundOf(zhang.id)], dutyFrom: '2022-01-10' });
  await createCadre(ctx, { name: '钱干部', homeUnit: '市检察院', phone: '13700002222', communityId: b, status: 'resting' });
  const veg = await createSupplyRequest(ctx, { householdId: await household(zhang.id), category: '蔬菜', items: [{ name: '白菜', quantity: '2斤' }, { name: '鸡蛋', quantity: '1盒' }], requestedBy: '张三', amountCents: 2350 });
  const assigned = await assignSupplyRequest(ctx, { id: veg.id, version: veg.version, cadreId: cadre.id });
  const going = await startDelivery(ctx, { id: assigned.id, version: assigned.version });
  await markDelivered(ctx, { id: going.id, version: going.version });
  await createSupplyRequest(ctx, { householdId: await household(hostile.id), category: '药品', items: [{ name: '布洛芬', quantity: '1盒' }], notes: '+86 call first' });
  await createSupplyRequest(ctx, { householdId: await household(li.id), category: '粮油', items: [{ name: '大米', quantity: '10斤' }] });
  return { ids, phones, residents: { zhang: zhang.id, hostile: hostile.id, wang: wang.id, li: li.id } };
}

export interface ReadBack {
  ws: ExcelJS.Worksheet;
  /** Every cell value as a list of rows (1-based columns dropped to 0-based arrays). */
  rows: unknown[][];
  merges: string[];
  /** The decompressed XML parts of the package, by name. */
  parts: Map<string, string>;
}

function unzipAll(file: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const out = new Map<string, string>();
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName.replace(/^\//, ''), Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

export async function readBack(file: string, sheet = 0): Promise<ReadBack> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[sheet];
  const rows: unknown[][] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const vals: unknown[] = [];
    for (let c = 1; c <= ws.columnCount; c++) vals.push(row.getCell(c).value);
    rows.push(vals);
  }
  const merges = Object.values((ws as unknown as { _merges: Record<string, { range: string }> })._merges).map((m) => m.range);
  return { ws, rows, merges, parts: await unzipAll(file) };
}

/** All text of the package: cell values as exceljs reads them and the raw XML. */
export function everything(rb: ReadBack): string {
  return JSON.stringify(rb.rows) + [...rb.parts.values()].join('\n');
}

/** The row whose first non-empty cells include `text`. */
export function rowWith(rb: ReadBack, text: string): unknown[] | undefined {
  return rb.rows.find((r) => r.some((v) => v === text));
}
