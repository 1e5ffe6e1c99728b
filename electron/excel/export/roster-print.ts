// 隔离人员台账（打印版）: the 台账 an official reads on paper. The full 台账 has 17 columns and prints at about 6 pt on A4;
// this one keeps the 12 a door-to-door check needs (no 证件类型/证件号码/最后一天/人员类别/备注), grouped by compound
// with a heading per compound (社区 小区 共 N 人), so it prints A4 landscape at about 10 pt. Same rows and values as
// the full 台账 (rosterRow), read compound by compound, 2,000 per query.
import { diffDays } from '../../domain/dates.ts';
import { DAY_WORDS, daysOver } from '../../shared/days.ts';
import { ReportSheet, type ColumnDef } from './sheet.ts';
import { base, communitiesOf, rosterPage, rosterRow } from './roster.ts';
import { maskers, maxLen, reportSubtitle, reportTitle, widthFromChars, yieldToLoop, PAGE_SIZE, type ReportModule } from './common.ts';

export const PRINT_COLUMNS: ColumnDef[] = [
  { key: 'name', header: '姓名', total: 'count', totalText: (n) => `共 ${n} 人` },
  { key: 'sex', header: '性别', align: 'center' },
  { key: 'age', header: '年龄', kind: 'int' },
  { key: 'phone', header: '联系电话', kind: 'phone' },
  { key: 'address', header: '住址', maxWidth: 30 },
  { key: 'kind', header: '类型', group: '隔离/监测期', align: 'center' },
  { key: 'startDate', header: '开始日期', kind: 'date', group: '隔离/监测期' },
  { key: 'releaseDate', header: '解除日期', kind: 'date', group: '隔离/监测期' },
  { key: 'dayN', header: '第N天', group: '隔离/监测期', align: 'center' },
  { key: 'status', header: '状态', group: '隔离/监测期', align: 'center' },
  { key: 'temperature', header: '最新体温(℃)', kind: 'number', numFmt: '0.0' },
  // Left blank for the hand-written remark of a door-to-door check.
  { key: 'remark', header: '核查情况', minWidth: 14 },
];

export const rosterPrint: ReportModule = {
  name: 'roster',
  title: '隔离人员台账（打印版）',
  sheetName: '隔离人员台账',
  async write(run) {
    const { date } = run.params;
    const mask = maskers(run.params);
    const communities = await communitiesOf(run);
    run.progress({ done: 0, total: 0, phase: '统计' });
    const compounds = await base(
      run,
      communities.map((c) => c.id),
    )
      .innerJoin('places as p', 'p.id', 'h.compoundId')
      .select((eb) => ['r.communityId', 'c.name as community', 'h.compoundId', 'p.name as compound', eb.fn.countAll<number>().as('n')])
      .groupBy(['r.communityId', 'c.name', 'h.compoundId', 'p.name'])
      .orderBy('r.communityId')
      .orderBy('p.name')
      .orderBy('h.compoundId')
      .execute();
    const total = compounds.reduce((s, c) => s + Number(c.n), 0);
    const m = await base(
      run,
      communities.map((c) => c.id),
    )
      .select((eb) => [maxLen(eb.ref('r.name')).as('name'), maxLen(eb.ref('h.address')).as('address')])
      .executeTakeFirstOrThrow();
    const sheet = new ReportSheet({
      file: run.file,
      sheetName: this.sheetName,
      title: reportTitle(run, this.title),
      subtitle: reportSubtitle(run, [`统计日期：${date}`, `共 ${total} 人，${compounds.length} 个小区`]),
      columns: PRINT_COLUMNS,
      serial: true,
      freezeColumns: 1,
      totalsLabel: '合计',
      measured: { name: widthFromChars(m.name), address: widthFromChars(m.address), kind: 8, dayN: 12, status: 10 },
    });
    try {
      for (const g of compounds) {
        sheet.addGroupRow(`${g.community} ${g.compound}　共 ${Number(g.n)} 人`);
        let after = 0;
        for (;;) {
          run.checkCancelled();
          const page = await rosterPage(run, g.communityId, after, g.compoundId);
          // Under the compound's heading the address starts at the building (the community is in the heading).
          // 第N天 without the bracket: the 状态 column beside it says 待解除.
          for (const r of page) {
            const row = rosterRow(r, date, mask);
            const over = daysOver({ n: diffDays(r.startDate, date) + 1, of: diffDays(r.startDate, r.lastDay) + 1 });
            sheet.addRow({ ...row, address: r.address, dayN: row.dayN && over > 0 ? DAY_WORDS.zh.overShort.replace('{{count}}', String(over)) : row.dayN });
          }
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
