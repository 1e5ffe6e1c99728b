// `stats`: how much is in a database file (read-only).
import type { Db } from '../../db/open.ts';
import { DB_OPTION, requireString, type CommandModule } from '../args.ts';
import { ok } from '../output.ts';

export interface DbStats {
  residents: number;
  households: number;
  activeEpisodes: number;
  checkins: number;
  openAlerts: number;
  supplyRequests: number;
  cadres: number;
}

export async function countStats(db: Db): Promise<DbStats> {
  const c = (r: { n: number | string | bigint }) => Number(r.n);
  return {
    residents: c(await db.selectFrom('residents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
    households: c(await db.selectFrom('households').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
    activeEpisodes: c(await db.selectFrom('episodes').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'active').executeTakeFirstOrThrow()),
    checkins: c(await db.selectFrom('checkins').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
    openAlerts: c(await db.selectFrom('alerts').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'open').executeTakeFirstOrThrow()),
    supplyRequests: c(await db.selectFrom('supplyRequests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
    cadres: c(await db.selectFrom('cadres').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
  };
}

const stats: CommandModule = {
  name: 'stats',
  summary: '统计居民、户、在管隔离、监测记录、待处理告警、物资需求和下沉干部的数量（只读）',
  usage: ['用法：isolation-desk stats --db <文件> [--json]', '', '  --db <文件>  数据库文件（只读打开，不会修改）'].join('\n'),
  options: { ...DB_OPTION },
  async run(args) {
    const file = requireString(args, 'db', '数据库文件');
    const { withDb } = await import('../context.ts');
    return withDb(file, { readonly: true }, async (handle) => {
      const s = await countStats(handle.db);
      const text = [
        `数据库：${file}`,
        `居民 ${s.residents} 人，${s.households} 户`,
        `进行中的隔离/监测 ${s.activeEpisodes} 个`,
        `健康监测记录 ${s.checkins} 条，待处理异常告警 ${s.openAlerts} 条`,
        `物资需求 ${s.supplyRequests} 条`,
        `下沉干部 ${s.cadres} 名`,
      ].join('\n');
      return ok({ file, ...s }, text);
    });
  },
};

export default stats;
