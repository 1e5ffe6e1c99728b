// How much a database holds: the command line's `stats` (through the 'stats.counts' channel). Read-only.
import type { Ctx } from './context.ts';

export interface DbStats {
  residents: number;
  households: number;
  activeEpisodes: number;
  checkins: number;
  openAlerts: number;
  supplyRequests: number;
  cadres: number;
}

export async function countStats(ctx: Pick<Ctx, 'db'>): Promise<DbStats> {
  const { db } = ctx;
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
