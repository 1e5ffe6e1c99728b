// 物资需求清单: the requests created on the date (or all in one status), grouped by compound for delivery runs, in the
// order of the supplies page's run sheet (urgent first, then address). Read compound by compound, 2,000 per query.
import { sql } from 'kysely';
import { getSettings } from '../../domain/settings.ts';
import { createdOn, isSupplyOverdue, OPEN_STATUSES, SUPPLY_CATEGORIES, SUPPLY_STATUS_LABELS, URGENCY_LABELS } from '../../domain/supplyRules.ts';
import { itemsText } from '../../domain/supplyViews.ts';
import { householdsOfBuilding } from '../../domain/place-filter.ts';
import { statsMoment } from '../../domain/supplyBoard.ts';
import { isoIn } from '../../shared/time.ts';
import { displayWidth, ReportSheet, type ColumnDef } from './sheet.ts';
import { PAGE_SIZE, maskers, maxLen, reportSubtitle, reportTitle, widthFromChars, yieldToLoop, type ReportModule, type ReportRun } from './common.ts';

function filtered(run: ReportRun) {
  const { status, date } = run.params;
  let q = run.ctx.db.selectFrom('supplyRequests as s');
  if (run.community) q = q.where('s.communityId', '=', run.community.id);
  if (run.params.compoundId) q = q.where('s.compoundId', '=', run.params.compoundId);
  if (run.params.buildingId) q = q.where('s.householdId', 'in', householdsOfBuilding(run.ctx, run.params.buildingId));
  if (status === 'open') q = q.where('s.status', 'in', OPEN_STATUSES);
  else if (status) q = q.where('s.status', '=', status);
  else q = q.where((eb) => createdOn(eb, date));
  return q;
}

export const COLUMNS: ColumnDef[] = [
  { key: 'address', header: '住址', maxWidth: 30 },
  { key: 'contact', header: '联系人' },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  // As wide as the longest category (生活用品, 垃圾清运): a category never wraps.
  { key: 'category', header: '类别', total: 'count', totalText: (n) => `共 ${n} 单`, minWidth: Math.max(...SUPPLY_CATEGORIES.map(displayWidth)) },
  { key: 'items', header: '物品及数量', maxWidth: 36 },
  { key: 'urgency', header: '紧急程度', align: 'center' },
  { key: 'status', header: '状态', align: 'center' },
  { key: 'createdAt', header: '登记时间', align: 'center' },
  { key: 'cadre', header: '配送干部' },
  { key: 'amount', header: '金额(元)', kind: 'number', numFmt: '0.00', group: '代购', total: 'sum' },
  { key: 'paid', header: '已收款', group: '代购', align: 'center' },
  { key: 'overdue', header: '超时', align: 'center', total: 'count', totalText: (n) => `${n} 单` },
  { key: 'notes', header: '备注', maxWidth: 24 },
  // Left blank on purpose: the household signs here when the run is delivered on paper.
  { key: 'sign', header: '签收', minWidth: 10 },
];

/** Compounds with requests in the report, ordered as the run sheet orders them, with their counts. */
async function compoundsOf(run: ReportRun) {
  return filtered(run)
    .innerJoin('places as c', 'c.id', 's.communityId')
    .innerJoin('places as p', 'p.id', 's.compoundId')
    .select((eb) => [
      's.compoundId',
      'c.name as community',
      'p.name as compound',
      eb.fn.countAll<number>().as('n'),
      eb.fn.sum<number>(eb.case().when('s.urgency', '=', 'urgent').then(1).else(0).end()).as('urgent'),
    ])
    .groupBy(['s.compoundId', 'c.name', 'p.name'])
    .orderBy('c.name')
    .orderBy('p.name')
    .orderBy('s.compoundId')
    .execute();
}

export const supplies: ReportModule = {
  name: 'supplies',
  title: '物资需求清单',
  sheetName: '物资需求清单',
  async write(run) {
    const mask = maskers(run.params);
    const settings = await getSettings(run.ctx);
    // The requests of a past day read as they stood when that day ended (status and 超时); a status list, as now.
    const moment = run.params.status ? run.ctx.clock.now() : statsMoment(run.ctx, run.params.date);
    const momentIso = isoIn(moment, run.ctx.clock.timeZone);
    run.progress({ done: 0, total: 0, phase: '统计' });
    const compounds = await compoundsOf(run);
    const total = compounds.reduce((s, c) => s + Number(c.n), 0);
    const m = await filtered(run)
      .innerJoin('households as h', 'h.id', 's.householdId')
      .leftJoin('cadres as k', 'k.id', 's.cadreId')
      .select((eb) => [
        maxLen(eb.ref('h.address')).as('address'),
        maxLen(eb.ref('s.requestedBy')).as('contact'),
        maxLen(eb.ref('k.name')).as('cadre'),
        maxLen(eb.ref('s.notes')).as('notes'),
      ])
      .executeTakeFirstOrThrow();
    // The contact falls back to a member's name when nobody was noted as asking.
    const members = await filtered(run)
      .innerJoin('residents as r', 'r.householdId', 's.householdId')
      .select((eb) => maxLen(eb.ref('r.name')).as('name'))
      .executeTakeFirst();
    const items = await run.ctx.db
      .selectFrom(
        filtered(run)
          .innerJoin('supplyItems as i', 'i.requestId', 's.id')
          .select((eb) => ['i.requestId', sql<number>`sum(length(${eb.ref('i.name')}) + length(${eb.ref('i.quantity')}) + 2)`.as('len')])
          .groupBy('i.requestId')
          .as('t'),
      )
      .select((eb) => eb.fn.max('t.len').as('len'))
      .executeTakeFirst();
    const { status } = run.params;
    const pastDay = !status && moment < run.ctx.clock.now();
    const scopeText =
      status === 'open' ? '状态：待配送（待处理、已分派、配送中）' : status ? `状态：${SUPPLY_STATUS_LABELS[status]}` : `登记日期：${run.params.date}${pastDay ? '（状态、超时为当日结束时）' : ''}`;
    const urgentTotal = compounds.reduce((s, c) => s + Number(c.urgent ?? 0), 0);
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title),
      subtitle: reportSubtitle(run, [scopeText, `共 ${total} 单，紧急 ${urgentTotal} 单，${compounds.length} 个小区`]),
      columns: COLUMNS,
      serial: true,
      totalsLabel: '合计',
      measured: {
        address: widthFromChars(m.address),
        contact: Math.max(widthFromChars(m.contact), widthFromChars(members?.name)),
        items: widthFromChars(items?.len),
        createdAt: 11,
        cadre: widthFromChars(m.cadre),
        notes: widthFromChars(m.notes),
      },
    });
    try {
      for (const g of compounds) {
        sheet.addGroupRow(`${g.community} ${g.compound}　共 ${Number(g.n)} 单${Number(g.urgent) ? `（紧急 ${Number(g.urgent)} 单）` : ''}`);
        for (let offset = 0; ; offset += PAGE_SIZE) {
          run.checkCancelled();
          const page = await filtered(run)
            .where('s.compoundId', '=', g.compoundId)
            .innerJoin('households as h', 'h.id', 's.householdId')
            .leftJoin('cadres as k', 'k.id', 's.cadreId')
            .select((eb) => [
              's.id',
              'h.address',
              's.requestedBy',
              's.category',
              's.urgency',
              's.status',
              // The status at the moment: the last move before it (a request is 待处理 until its first move).
              eb
                .selectFrom('supplyTransitions as t')
                .select('t.toStatus')
                .whereRef('t.requestId', '=', 's.id')
                .where('t.at', '<', momentIso)
                .orderBy('t.at', 'desc')
                .orderBy('t.id', 'desc')
                .limit(1)
                .as('statusThen'),
              's.createdAt',
              's.amountCents',
              's.paid',
              's.notes',
              'k.name as cadre',
              // Who to call at the door: the household's person under control first, else any member with a phone.
              eb
                .selectFrom('residents as r')
                .select('r.phone')
                .whereRef('r.householdId', '=', 's.householdId')
                .where('r.phone', 'is not', null)
                .orderBy(sql`case when ${sql.ref('r.status')} in ('isolating', 'monitoring') then 0 else 1 end`)
                .orderBy('r.id')
                .limit(1)
                .as('phone'),
              eb
                .selectFrom('residents as r')
                .select('r.name')
                .whereRef('r.householdId', '=', 's.householdId')
                .orderBy(sql`case when ${sql.ref('r.status')} in ('isolating', 'monitoring') then 0 else 1 end`)
                .orderBy('r.id')
                .limit(1)
                .as('member'),
            ])
            .orderBy(sql`case when ${sql.ref('s.urgency')} = 'urgent' then 0 else 1 end`)
            .orderBy('h.address')
            .orderBy('s.createdAt')
            .orderBy('s.id')
            .limit(PAGE_SIZE)
            .offset(offset)
            .execute();
          const lines = new Map<number, { name: string; quantity: string }[]>();
          if (page.length) {
            const rows = await run.ctx.db
              .selectFrom('supplyItems')
              .select(['requestId', 'name', 'quantity'])
              .where('requestId', 'in', page.map((p) => p.id))
              .orderBy('id')
              .execute();
            for (const r of rows) {
              let list = lines.get(r.requestId);
              if (!list) lines.set(r.requestId, (list = []));
              list.push(r);
            }
          }
          for (const s of page) {
            const then = pastDay ? (s.statusThen ?? 'new') : s.status;
            sheet.addRow({
              address: s.address,
              contact: s.requestedBy ?? s.member,
              phone: mask.phone(s.phone),
              category: s.category,
              items: itemsText(lines.get(s.id) ?? []),
              urgency: URGENCY_LABELS[s.urgency],
              status: SUPPLY_STATUS_LABELS[then],
              createdAt: s.createdAt.slice(5, 16).replace('T', ' '),
              cadre: s.cadre,
              amount: s.amountCents === null ? null : Number(s.amountCents) / 100,
              paid: s.amountCents === null ? '' : s.paid ? '是' : '否',
              overdue: isSupplyOverdue({ ...s, status: then }, settings, moment) ? '超时' : '',
              notes: s.notes,
              sign: '',
            });
          }
          run.progress({ done: sheet.rows, total, phase: '写入' });
          if (page.length < PAGE_SIZE) break;
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
