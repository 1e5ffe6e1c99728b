// 健康监测记录: every check-in from --from to --to (inclusive), by date, slot and community, read 2,000 per query
// with a keyset on (date, slot, community, id) — the order of the checkins_date_slot index, so no sort is needed.
import { diffDays } from '../../domain/dates.ts';
import { dayText } from '../../shared/days.ts';
import { SLOT_LABELS } from '../../domain/checkins.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { PAGE_SIZE, maskers, placeHouseholds, maxLen, reportSubtitle, reportTitle, widthFromChars, yieldToLoop, type ReportModule, type ReportRun } from './common.ts';
import { sql } from 'kysely';
import type { Slot } from '../../db/schema.ts';

type After = [string, Slot, number, number];

/**
 * The check-ins of the range; with `after`, only those past that key. The key then replaces the range's lower
 * bound: SQLite seeks an index with a row value only when no other lower bound competes (else every page would
 * rescan the whole date from its start).
 */
function base(run: ReportRun, after: After | null = null) {
  const { from, to } = run.params;
  let q = run.ctx.db
    .selectFrom('checkins as k')
    .innerJoin('residents as r', 'r.id', 'k.residentId')
    .innerJoin('households as h', 'h.id', 'r.householdId')
    .innerJoin('places as c', 'c.id', 'k.communityId')
    .innerJoin('episodes as e', 'e.id', 'k.episodeId')
    .where('k.date', '<=', to);
  if (after) {
    const [d, s, c, id] = after;
    q = q.where((eb) => eb(eb.refTuple('k.date', 'k.slot', 'k.communityId', 'k.id'), '>', eb.tuple(d, s, c, id)));
  } else q = q.where('k.date', '>=', from);
  if (run.community) q = q.where('k.communityId', '=', run.community.id);
  const households = placeHouseholds(run);
  if (households) q = q.where('r.householdId', 'in', households);
  return q;
}

/** One page: up to PAGE_SIZE check-ins after the key, in (date, slot, community, id) order. */
function checkinPage(run: ReportRun, after: After | null) {
  return base(run, after)
    .select([
      'k.id',
      'k.date',
      'k.slot',
      'k.communityId',
      'k.temperature',
      'k.symptoms',
      'k.symptomOther',
      'k.testType',
      'k.testResult',
      'k.healthCode',
      'k.contactMethod',
      'k.recordedBy',
      'k.notes',
      'k.abnormal',
      'c.name as community',
      'h.address',
      'r.name',
      'r.phone',
      'e.startDate',
      'e.lastDay',
    ])
    .orderBy('k.date')
    .orderBy('k.slot')
    .orderBy('k.communityId')
    .orderBy('k.id')
    .limit(PAGE_SIZE)
    .execute();
}

export const COLUMNS: ColumnDef[] = [
  { key: 'date', header: '日期', kind: 'date' },
  { key: 'slot', header: '时段', align: 'center' },
  { key: 'community', header: '社区' },
  { key: 'address', header: '住址', maxWidth: 36 },
  { key: 'name', header: '姓名', total: 'count' },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  { key: 'dayN', header: '第N天', align: 'center' },
  { key: 'temperature', header: '体温(℃)', kind: 'number', numFmt: '0.0', group: '健康状况' },
  { key: 'symptoms', header: '症状', group: '健康状况', maxWidth: 24 },
  { key: 'test', header: '检测', group: '健康状况' },
  { key: 'healthCode', header: '健康码', group: '健康状况', align: 'center' },
  { key: 'contact', header: '联系方式', align: 'center' },
  { key: 'abnormal', header: '异常', align: 'center', total: 'count' },
  { key: 'recordedBy', header: '记录人' },
  { key: 'notes', header: '备注', maxWidth: 30 },
];

function symptomText(json: string, other: string | null): string {
  let list: string[];
  try {
    list = JSON.parse(json) as string[];
  } catch {
    list = [];
  }
  return list.map((s) => (s === '其他' && other ? `其他（${other}）` : s)).join('、');
}

export const checkins: ReportModule = {
  name: 'checkins',
  title: '健康监测记录',
  sheetName: '健康监测记录',
  async write(run) {
    const mask = maskers(run.params);
    run.progress({ done: 0, total: 0, phase: '统计' });
    const m = await base(run)
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        sql<number>`sum(case when ${eb.ref('k.abnormal')} = 1 then 1 else 0 end)`.as('abnormal'),
        maxLen(eb.ref('c.name')).as('community'),
        maxLen(eb.ref('h.address')).as('address'),
        maxLen(eb.ref('r.name')).as('name'),
        maxLen(eb.ref('r.phone')).as('phone'),
        maxLen(eb.ref('k.symptomOther')).as('symptomOther'),
        maxLen(eb.ref('k.recordedBy')).as('recordedBy'),
        maxLen(eb.ref('k.notes')).as('notes'),
      ])
      .executeTakeFirstOrThrow();
    const total = Number(m.n);
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title, true),
      subtitle: reportSubtitle(run, [`共 ${total} 条，其中异常 ${Number(m.abnormal ?? 0)} 条`]),
      columns: COLUMNS,
      serial: true,
      totalsLabel: '合计',
      measured: {
        community: widthFromChars(m.community),
        address: widthFromChars(m.address),
        name: widthFromChars(m.name),
        phone: widthFromChars(m.phone, false),
        // 超期 NN 天（待解除） is the longest the column holds.
        dayN: 20,
        // Symptoms are a few short words; the free-text "other" is added to them.
        symptoms: 12 + widthFromChars(m.symptomOther),
        test: 12,
        contact: 8,
        recordedBy: widthFromChars(m.recordedBy),
        notes: widthFromChars(m.notes),
      },
    });
    try {
      let after: After | null = null;
      for (;;) {
        run.checkCancelled();
        const page = await checkinPage(run, after);
        for (const k of page) {
          sheet.addRow({
            date: k.date,
            slot: SLOT_LABELS[k.slot] ?? k.slot,
            community: k.community,
            address: k.address,
            name: k.name,
            phone: mask.phone(k.phone),
            dayN: dayText({ n: diffDays(k.startDate, k.date) + 1, of: diffDays(k.startDate, k.lastDay) + 1 }),
            temperature: k.temperature === null ? null : Number(k.temperature),
            symptoms: symptomText(k.symptoms, k.symptomOther),
            test: k.testType ? `${k.testType}${k.testResult ?? ''}` : '',
            healthCode: k.healthCode ? `${k.healthCode}码` : '',
            contact: k.contactMethod,
            abnormal: k.abnormal ? '是' : '',
            recordedBy: k.recordedBy,
            notes: k.notes,
          });
        }
        run.progress({ done: sheet.rows, total, phase: '写入' });
        if (page.length < PAGE_SIZE) break;
        const last = page[page.length - 1];
        after = [last.date, last.slot, last.communityId, last.id];
        await yieldToLoop();
      }
      return (await sheet.close()).rows;
    } catch (e) {
      await sheet.abort();
      throw e;
    }
  },
};
