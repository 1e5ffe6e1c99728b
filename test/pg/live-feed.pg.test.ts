// The live feed on PostgreSQL (server/live.ts over db/pg/change-feed.ts and db/pg/listen.ts): two transactions that
// commit in the reverse order of their change-log seqs are both told (a plain "seq > last" read skips the first one,
// shown here too), a rolled-back write's hole settles, a feed started while a write is still running tells it once
// it commits, LISTEN wakes the feed without its poll, and a lost LISTEN connection comes back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type pg from 'pg';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { createResident } from '../../electron/domain/residents.ts';
import { LiveFeed, type LiveMessage } from '../../electron/server/live.ts';
import { changesSince } from '../../electron/db/change-log.ts';
import { poolOf } from '../../electron/db/postgres.ts';
import { SETTLE_MS } from '../../electron/db/pg/change-feed.ts';

let t: TestEnv;
let pool: pg.Pool;
let clerk: string;
const people: number[] = [];
const feeds: LiveFeed[] = [];
/** Connections with a transaction still open (a failed test's are rolled back after it, so the pool can end). */
const open = new Set<pg.PoolClient>();

/** A socket stand-in that keeps what the feed sends. */
function socket(): { messages: LiveMessage[]; s: never } {
  const messages: LiveMessage[] = [];
  const s = { OPEN: 1, readyState: 1, send: (m: string) => messages.push(JSON.parse(m) as LiveMessage), on: () => {}, close: () => {} };
  return { messages, s: s as never };
}
const told = (messages: LiveMessage[]) => messages.flatMap((m) => (m.type === 'changes' ? m.changes : []));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(test: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !test() && Date.now() < end; ) await sleep(20);
}

/** An open transaction on its own connection that has updated one resident (its change-log row written, not committed). */
async function writing(residentId: number, notes: string): Promise<{ seq: number; commit: () => Promise<void>; rollback: () => Promise<void> }> {
  const c = await pool.connect();
  open.add(c);
  await c.query('BEGIN');
  await c.query('UPDATE residents SET notes = $1 WHERE id = $2', [notes, residentId]);
  const seq = Number((await c.query("SELECT max(seq) AS s FROM change_log WHERE tbl = 'residents' AND row_id = $1", [residentId])).rows[0].s);
  const end = async (how: string) => {
    await c.query(how);
    open.delete(c);
    c.release();
  };
  return { seq, commit: () => end('COMMIT'), rollback: () => end('ROLLBACK') };
}

async function feed(intervalMs = 60_000): Promise<LiveFeed> {
  const f = new LiveFeed(() => t.env.db, t.env.sessions, intervalMs);
  feeds.push(f);
  await f.start();
  return f;
}

beforeAll(async () => {
  t = await makeEnv();
  pool = poolOf(t.env.db)!;
  for (let i = 0; i < 4; i++) {
    const r = await createResident(t.ctx(), { name: `动${i}`, docType: '护照', docNumber: `LF${i}`, category: '密接', address: { communityId: t.communities.a, compound: '幸福小区', building: '1', unit: '1', room: String(101 + i) } });
    people.push(r.id);
  }
  clerk = await t.login('clerk');
});

afterEach(async () => {
  for (const c of open) {
    await c.query('ROLLBACK').catch(() => {});
    c.release();
  }
  open.clear();
});

afterAll(async () => {
  for (const f of feeds) f.stop();
  await t?.close();
});

describe('the live feed on PostgreSQL', () => {
  it('tells both writes when they commit in the reverse order of their seqs (a plain seq > last read skips one)', async () => {
    const f = await feed();
    const a = socket();
    await f.add(a.s, clerk, null);
    const first = await writing(people[0], '先开始，后提交');
    const second = await writing(people[1], '后开始，先提交');
    expect(second.seq).toBeGreaterThan(first.seq);
    await second.commit();
    await f.tick();
    expect(told(a.messages).map((c) => c.seq)).toContain(second.seq);
    // The seq clients are told stays below the first write's: a reconnect from it still reaches that row.
    const afterSecond = a.messages.at(-1)!;
    expect(afterSecond.seq).toBeLessThan(first.seq);
    await first.commit();
    // What a reader that moved on to the higher seq would read now: nothing of the first write.
    expect((await changesSince(t.env.db, second.seq, 100)).map((c) => c.seq)).not.toContain(first.seq);
    await f.tick();
    const seqs = told(a.messages).map((c) => c.seq);
    expect(seqs).toContain(first.seq);
    expect(told(a.messages).find((c) => c.seq === first.seq)).toMatchObject({ table: 'residents', id: people[0] });
    // Once no transaction can fill anything below, the told seq moves past both.
    await sleep(SETTLE_MS + 50);
    await f.tick();
    const late = socket();
    await f.add(late.s, clerk, null);
    expect(late.messages[0]).toMatchObject({ type: 'hello' });
    expect(late.messages[0].seq).toBeGreaterThanOrEqual(second.seq);
  });

  it('a rolled-back write leaves a hole that settles once its transaction has ended', async () => {
    const f = await feed();
    const a = socket();
    await f.add(a.s, clerk, null);
    const lost = await writing(people[2], '撤销');
    const kept = await writing(people[3], '保留');
    await kept.commit();
    await f.tick();
    expect(told(a.messages).map((c) => c.seq)).toContain(kept.seq);
    expect(a.messages.at(-1)!.seq).toBeLessThan(lost.seq);
    await lost.rollback();
    await sleep(SETTLE_MS + 50);
    await f.tick();
    const b = socket();
    await f.add(b.s, clerk, null);
    expect(b.messages[0].seq).toBeGreaterThanOrEqual(kept.seq);
    expect(told(a.messages).map((c) => c.seq)).not.toContain(lost.seq);
  });

  it('a feed started while a write is still open tells it once it commits', async () => {
    const running = await writing(people[0], '启动时未提交');
    const later = await writing(people[1], '启动前已提交');
    await later.commit();
    const f = await feed();
    const a = socket();
    await f.add(a.s, clerk, null);
    expect(a.messages[0].seq).toBeLessThan(running.seq);
    // A PC coming back after a restart with a seq it was told before (settled then): its hello is not sent below it,
    // which would make it reload everything, while the feed itself still waits on the open write.
    const back = socket();
    await f.add(back.s, clerk, later.seq);
    expect(back.messages[0]).toEqual({ type: 'hello', seq: later.seq });
    await running.commit();
    await f.tick();
    expect(told(a.messages).map((c) => c.seq)).toContain(running.seq);
  });

  it('LISTEN wakes the feed at commit (the poll is a minute away), and a lost LISTEN connection comes back', async () => {
    const f = await feed(60_000);
    await until(() => f.listening);
    expect(f.listening).toBe(true);
    const a = socket();
    await f.add(a.s, clerk, null);
    const ticks = f.stats.ticks;
    const w = await writing(people[2], '通知');
    await w.commit();
    await until(() => told(a.messages).some((c) => c.seq === w.seq), 3000);
    expect(told(a.messages).map((c) => c.seq)).toContain(w.seq);
    expect(f.stats.notified).toBeGreaterThan(0);
    expect(f.stats.ticks).toBeGreaterThan(ticks);
    // The database ends the LISTEN connection (a restart, a network cut): the feed opens it again by itself.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'isolation-desk-live' AND datname = current_database()`.execute(t.env.db);
    await until(() => !f.listening, 3000);
    await until(() => f.listening, 8000);
    expect(f.listening).toBe(true);
    const w2 = await writing(people[3], '重连后通知');
    await w2.commit();
    await until(() => told(a.messages).some((c) => c.seq === w2.seq), 3000);
    expect(told(a.messages).map((c) => c.seq)).toContain(w2.seq);
  }, 30_000);
});
