// 隔离人员台账: every person with an isolation or monitoring episode covering the date (or ended on it), one row each,
// community by community, read 2,000 residents per query (keyset on id) and streamed to the file.
import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { ageOn, diffDays } from '../../domain/dates.ts';
import { dayText } from '../../shared/days.ts';
import { EPISODE_KIND_LABELS, EPISODE_STATUS_LABELS, coversDateSql } from '../../domain/episodes-days.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { PAGE_SIZE, SEX_LABELS, maskers, placeHouseholds, maxLen, reportSubtitle, reportTitle, widthFromChars, yieldToLoop, type ReportModule, type ReportRun } from './common.ts';

type Eb = ExpressionBuilder<Database & { r: Database['residents'] }, 'r'>;

/**
 * The person's newest episode that covers the date: started on or before it and still running, or ended on or
 * after it (so people released on the date still appear, as 已解除). Same "newest wins" rule as the dashboard.
 */
function episodeOnDate(eb: Eb, date: string) {
  return eb
    .selectFrom('episodes as e2')
    .select((x) => x.fn.max('e2.id').as('m'))
    .whereRef('e2.residentId', '=', 'r.id')
    .where(coversDateSql('e2', date, 'included'));
}

export function base(run: ReportRun, communityIds: number[]) {
  const { date } = run.params;
  const households = placeHouseholds(run);
  return run.ctx.db
    .selectFrom('residents as r')
    .innerJoin('episodes as e', 'e.residentId', 'r.id')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'r.communityId')
    .where('r.communityId', 'in', communityIds.length ? communityIds : [-1])
    .$if(households !== null, (q) => q.where('r.householdId', 'in', households!))
    .where((eb) => eb('e.id', '=', episodeOnDate(eb as unknown as Eb, date)));
}

export const COLUMNS: ColumnDef[] = [
  { key: 'name', header: '姓名', total: 'count' },
  { key: 'sex', header: '性别', align: 'center' },
  { key: 'age', header: '年龄', kind: 'int' },
  { key: 'docType', header: '证件类型' },
  { key: 'docNumber', header: '证件号码', kind: 'id' },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  { key: 'address', header: '住址', maxWidth: 44 },
  { key: 'category', header: '人员类别' },
  { key: 'kind', header: '类型', group: '隔离/监测期' },
  { key: 'startDate', header: '开始日期', kind: 'date', group: '隔离/监测期' },
  { key: 'lastDay', header: '最后一天', kind: 'date', group: '隔离/监测期' },
  { key: 'releaseDate', header: '解除日期', kind: 'date', group: '隔离/监测期' },
  { key: 'dayN', header: '第N天', group: '隔离/监测期', align: 'center' },
  { key: 'status', header: '状态', group: '隔离/监测期', align: 'center' },
  { key: 'temperature', header: '最新体温(℃)', kind: 'number', numFmt: '0.0' },
  { key: 'notes', header: '备注', maxWidth: 30 },
];

/** One page of the 台账: up to PAGE_SIZE people of a community (or one of its compounds) with ids above `after`, in id order. */
export function rosterPage(run: ReportRun, communityId: number, after: number, compoundId?: number) {
  const { date } = run.params;
  let q = base(run, [communityId]);
  if (compoundId !== undefined) q = q.where('h.compoundId', '=', compoundId);
  return q
    .where('r.id', '>', after)
    .select((eb) => [
      'r.id',
      'r.name',
      'r.sex',
      'r.birthDate',
      'r.docType',
      'r.docNumber',
      'r.phone',
      'r.category',
      'r.notes',
      'c.name as community',
      'h.address',
      'e.kind',
      'e.startDate',
      'e.lastDay',
      'e.releaseDate',
      'e.status',
      'e.endedOn',
      // The temperature known on the date, not today's: a past 台账 must read as it would have that day.
      eb
        .selectFrom('checkins as k')
        .select('k.temperature')
        .whereRef('k.residentId', '=', 'r.id')
        .where('k.date', '<=', date)
        .where('k.temperature', 'is not', null)
        .orderBy('k.date', 'desc')
        .orderBy('k.slot', 'desc')
        .limit(1)
        .as('temperature'),
    ])
    .orderBy('r.id')
    .limit(PAGE_SIZE)
    .execute();
}

type RosterRecord = Awaited<ReturnType<typeof rosterPage>>[number];

/** One person's values by column key, as of the report's date (the 打印版 shows some of the same). */
export function rosterRow(r: RosterRecord, date: string, mask: ReturnType<typeof maskers>): Record<string, unknown> {
  const ended = r.status !== 'active' && (r.endedOn ?? r.lastDay) <= date;
  const of = diffDays(r.startDate, r.lastDay) + 1;
  return {
    name: r.name,
    sex: r.sex ? SEX_LABELS[r.sex] : '',
    age: r.birthDate ? ageOn(r.birthDate, date) : null,
    docType: r.docType,
    docNumber: mask.id(r.docNumber),
    phone: mask.phone(r.phone),
    address: r.community + r.address,
    category: r.category,
    kind: EPISODE_KIND_LABELS[r.kind],
    startDate: r.startDate,
    lastDay: r.lastDay,
    releaseDate: rosterReleaseDate(r, ended),
    dayN: ended ? '' : dayText({ n: diffDays(r.startDate, date) + 1, of }),
    status: ended ? EPISODE_STATUS_LABELS[r.status] : date > r.lastDay ? '待解除' : r.kind === 'home_isolation' ? '隔离中' : '健康监测中',
    temperature: r.temperature === null ? null : Number(r.temperature),
    notes: r.notes,
  };
}

/**
 * 解除日期 as the 台账 shows it: the day a released person was actually released (endedOn, which may be before or
 * after the planned day); the planned day while the period still runs on the report's date; nothing for a period
 * that ended otherwise (转运, 其他结束: the status says so).
 */
export function rosterReleaseDate(e: { status: string; releaseDate: string; endedOn: string | null }, ended: boolean): string | null {
  if (!ended) return e.releaseDate;
  return e.status === 'released' ? e.endedOn : null;
}

/** Communities the run covers, in the dashboard's order (as created). */
export async function communitiesOf(run: ReportRun): Promise<{ id: number; name: string }[]> {
  if (run.community) return [run.community];
  return run.ctx.db.selectFrom('places').select(['id', 'name']).where('level', '=', 'community').orderBy('id').execute();
}

export const roster: ReportModule = {
  name: 'roster',
  title: '隔离人员台账',
  sheetName: '隔离人员台账',
  async write(run) {
    const { date } = run.params;
    const mask = maskers(run.params);
    const communities = await communitiesOf(run);
    const ids = communities.map((c) => c.id);
    run.progress({ done: 0, total: 0, phase: '统计' });
    const m = await base(run, ids)
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        maxLen(eb.ref('r.name')).as('name'),
        maxLen(eb.ref('r.docType')).as('docType'),
        maxLen(eb.ref('r.docNumber')).as('docNumber'),
        maxLen(eb.ref('r.phone')).as('phone'),
        sql<number | null>`max(length(${eb.ref('c.name')}) + length(${eb.ref('h.address')}))`.as('address'),
        maxLen(eb.ref('r.category')).as('category'),
        maxLen(eb.ref('r.notes')).as('notes'),
      ])
      .executeTakeFirstOrThrow();
    const total = Number(m.n);
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title),
      subtitle: reportSubtitle(run, [`统计日期：${date}`, `共 ${total} 人`]),
      columns: COLUMNS,
      serial: true,
      freezeColumns: 1,
      totalsLabel: '合计',
      measured: {
        name: widthFromChars(m.name),
        docType: widthFromChars(m.docType),
        docNumber: widthFromChars(m.docNumber, false),
        phone: widthFromChars(m.phone, false),
        address: widthFromChars(m.address),
        category: widthFromChars(m.category),
        kind: 12,
        // 超期 NN 天（待解除） is the longest the column holds.
        dayN: 20,
        status: 10,
        notes: widthFromChars(m.notes),
      },
    });
    try {
      for (const community of communities) {
        let after = 0;
        for (;;) {
          run.checkCancelled();
          const page = await rosterPage(run, community.id, after);
          for (const r of page) sheet.addRow(rosterRow(r, date, mask));
          run.progress({ done: sheet.rows, total, phase: '写入' });
          if (page.length < PAGE_SIZE) break;
          after = page[page.length - 1].id;
          await yieldToLoop();
        }
      }
      return (await sheet.close()).rows;
    } catch (e) {
      await sheet.abort();
      throw e;
    }
  },
};
