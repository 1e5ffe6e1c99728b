// Idempotency keys of writes sent over the network (the payments-API pattern): the client makes a fresh key for each
// logical write and sends it again on retry; the first answer is kept for 24 hours under (device, key), so a retry
// after a lost reply gets that answer and the write is applied once. A retry that arrives while the first call is
// still running waits for it.
//
// The daily writes (GROUPED: check-ins, supply steps, alerts, residents) are committed in groups: the writes that
// arrive while a transaction is being written wait and then go together in the next one, each in a savepoint of its
// own (a refused write is rolled back alone), each with its answer stored in the same transaction. One commit — one
// fsync, the cost that bounds a SQLite server — serves many PCs, and a write and its kept answer are atomic: after a
// crash either both are there or neither.
//
// On PostgreSQL the same writes are not grouped: each runs in a transaction of its own on the pool, several at once
// (PG_WRITERS), with its answer stored in that transaction. There one transaction on one connection would run its
// writes one after another, every statement a round trip (~17 a check-in), while PostgreSQL is built for concurrent
// writers and groups the commits' WAL flushes itself. Only the audit chain is taken one at a time: its lock is held
// from the write's audit row to its commit. A write that lost a race the database settles by refusing one side — a
// deadlock, a serialization failure, a unique index another transaction filled first (two PCs saving one person's
// slot) — is run again from the start in a fresh transaction (PG_RETRIES), where it gets its proper answer (CONFLICT).
import type { Db } from '../db/open.ts';
import { isDistrictReader, isPostgres } from '../db/engine.ts';
import type { ApiResult } from '../api/dispatch.ts';
import { fail, toErrorData } from '../shared/errors.ts';

export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_-]{8,100}$/;
export const KEEP_MS = 24 * 3600_000;

/** Writes committed in groups: each runs in its handler's own single transaction (inTx), starts no job, opens no file. */
export const GROUPED: ReadonlySet<string> = new Set([
  'checkins.record',
  'checkins.correct',
  'checkins.recordBatch',
  'checkins.undoBatch',
  'tests.record',
  'alerts.close',
  'supplies.create',
  'supplies.update',
  'supplies.assign',
  'supplies.startDelivery',
  'supplies.deliver',
  'supplies.cancel',
  'supplies.setPayment',
  'residents.create',
  'residents.update',
]);
/** The most writes one group takes. */
const GROUP_MAX = 64;
/** PostgreSQL: the most grouped writes running at once (the server's pool is 10: reads keep connections of their own). */
export const PG_WRITERS = 6;
/** PostgreSQL: how often a write refused by a race (PG_RETRY_CODES) is run again before its error is the answer. */
const PG_RETRIES = 4;
/** Deadlock detected, serialization failure, unique violation: another transaction won a race; a fresh try sees it. */
const PG_RETRY_CODES = new Set(['40P01', '40001', '23505']);

/** A grouped write: run on the given transaction; `onUnexpected` hears a database error before it becomes INTERNAL. */
type Call = (db?: Db, onUnexpected?: (e: unknown) => void) => Promise<ApiResult<unknown>>;
interface Queued {
  deviceId: number;
  key: string;
  channel: string;
  call: Call;
  resolve: (r: ApiResult<unknown>) => void;
}

/** Answers that a retry may repeat: every success and every refusal except the server's own trouble. */
const keepable = (r: ApiResult<unknown>) => r.ok || (r.error.code !== 'INTERNAL' && r.error.code !== 'STORAGE');

export class IdempotencyStore {
  private readonly running = new Map<string, Promise<ApiResult<unknown>>>();
  private readonly queue: Queued[] = [];
  private draining = false;
  /** PostgreSQL: grouped writes running now, and those waiting for one of the PG_WRITERS places. */
  private pgRunning = 0;
  private readonly pgWaiting: Array<() => void> = [];
  /** Grouped writes between their arrival here and their place in the queue (looking up a kept answer). */
  private arriving = 0;
  /** Transactions committed for grouped writes, and the writes they carried (tests and the log read them). */
  readonly groups = { commits: 0, writes: 0 };
  private readonly db: () => Db;
  private readonly now: () => Date;
  constructor(db: () => Db, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  /**
   * A grouped write's request has arrived (called first thing by the route): a group about to start waits briefly for
   * writes on their way. The function returned says it is no longer on its way (queued, answered or refused); calling
   * it again does nothing.
   */
  expect(): () => void {
    this.arriving++;
    let done = false;
    return () => {
      if (!done) this.arriving--;
      done = true;
    };
  }

  /** Runs `call` once per (device, key); a repeat gets the kept answer. A key reused for another channel is refused. */
  async run(deviceId: number, key: string, channel: string, call: Call, arrived: () => void = () => undefined): Promise<ApiResult<unknown>> {
    const slot = `${deviceId}\u0000${key}`;
    const pending = this.running.get(slot);
    if (pending) return pending;
    const p = (async (): Promise<ApiResult<unknown>> => {
      // A district reader's server (区级只读) keeps no answers: it changes no data (a retried export makes a second file,
      // audited), and the database lets it write only its own traces (migration 0019), not this table.
      if (await isDistrictReader(this.db())) return call();
      const kept = await this.db().selectFrom('idempotencyKeys').select(['channel', 'answer']).where('deviceId', '=', deviceId).where('key', '=', key).executeTakeFirst();
      if (kept) {
        if (kept.channel !== channel) return { ok: false, error: fail('VALIDATION', 'server.idempotencyKey').toJSON() };
        return JSON.parse(kept.answer) as ApiResult<unknown>;
      }
      if (GROUPED.has(channel) && isPostgres(this.db())) {
        arrived();
        return this.writeAlone({ deviceId, key, channel, call });
      }
      if (GROUPED.has(channel)) {
        return new Promise<ApiResult<unknown>>((resolve) => {
          this.enqueue({ deviceId, key, channel, call, resolve });
          arrived();
        });
      }
      const answer = await call();
      if (keepable(answer)) {
        await this.db()
          .insertInto('idempotencyKeys')
          .values({ deviceId, key, channel, answer: JSON.stringify(answer), createdAt: this.now().toISOString() })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      return answer;
    })();
    this.running.set(slot, p);
    try {
      return await p;
    } finally {
      arrived();
      this.running.delete(slot);
    }
  }

  /**
   * PostgreSQL: one grouped write in a transaction of its own, its kept answer in the same transaction; at most
   * PG_WRITERS at once. A write refused by a race is run again (PG_RETRIES); a refusal is rolled back and its answer
   * kept on its own, as a refused write in a group is.
   */
  private async writeAlone(q: Omit<Queued, 'resolve'>): Promise<ApiResult<unknown>> {
    if (this.pgRunning >= PG_WRITERS) await new Promise<void>((r) => this.pgWaiting.push(r));
    this.pgRunning++;
    try {
      for (let attempt = 0; ; attempt++) {
        let raced = false;
        let trx;
        try {
          trx = await this.db().startTransaction().execute();
          const answer = await q.call(trx, (e) => {
            raced ||= PG_RETRY_CODES.has(String((e as { code?: unknown })?.code));
          });
          if (!answer.ok) {
            await trx.rollback().execute();
            trx = undefined;
            if (raced && attempt < PG_RETRIES) {
              await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
              continue;
            }
            // The refusal's answer is kept on its own (a commit of its own).
            if (keepable(answer)) {
              await this.keep(this.db(), q, answer);
              this.groups.commits++;
            }
          } else {
            await this.keep(trx, q, answer);
            await trx.commit().execute();
            trx = undefined;
            this.groups.commits++;
          }
          this.groups.writes++;
          return answer;
        } catch (e) {
          await trx?.rollback().execute().catch(() => undefined);
          if (PG_RETRY_CODES.has(String((e as { code?: unknown })?.code)) && attempt < PG_RETRIES) continue;
          // Nothing of it was written (the database refused the commit, or is gone).
          return { ok: false, error: toErrorData(e) };
        }
      }
    } finally {
      this.pgRunning--;
      this.pgWaiting.shift()?.();
    }
  }

  private async keep(db: Db, q: Omit<Queued, 'resolve'>, answer: ApiResult<unknown>): Promise<void> {
    await db
      .insertInto('idempotencyKeys')
      .values({ deviceId: q.deviceId, key: q.key, channel: q.channel, answer: JSON.stringify(answer), createdAt: this.now().toISOString() })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  private enqueue(q: Queued): void {
    this.queue.push(q);
    if (!this.draining) void this.drain();
  }

  /** Writes the queued writes, a group per transaction, until none are left. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        // Writes that reached the server together travel together: give those still on their way a few turns of the
        // event loop (at most ~2 ms) to join this group.
        const until = performance.now() + 2;
        while (this.arriving > 0 && this.queue.length < GROUP_MAX && performance.now() < until) await new Promise((r) => setImmediate(r));
        const group = this.queue.splice(0, GROUP_MAX);
        const answers = await this.writeGroup(group);
        group.forEach((q, i) => q.resolve(answers[i]));
      }
    } finally {
      this.draining = false;
    }
  }

  private async writeGroup(group: Queued[]): Promise<ApiResult<unknown>[]> {
    const answers: ApiResult<unknown>[] = [];
    let trx;
    try {
      trx = await this.db().startTransaction().execute();
      for (let i = 0; i < group.length; i++) {
        const q = group[i];
        const sp = await trx.savepoint(`w${i}`).execute();
        let answer: ApiResult<unknown>;
        try {
          answer = await q.call(sp);
        } catch (e) {
          answer = { ok: false, error: toErrorData(e) };
        }
        // A refused write leaves nothing behind (its handler's transaction was this savepoint).
        if (answer.ok) await sp.releaseSavepoint(`w${i}`).execute();
        else await sp.rollbackToSavepoint(`w${i}`).execute();
        if (keepable(answer)) {
          await trx
            .insertInto('idempotencyKeys')
            .values({ deviceId: q.deviceId, key: q.key, channel: q.channel, answer: JSON.stringify(answer), createdAt: this.now().toISOString() })
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        answers.push(answer);
      }
      await trx.commit().execute();
      this.groups.commits++;
      this.groups.writes += group.length;
      return answers;
    } catch (e) {
      await trx?.rollback().execute().catch(() => undefined);
      // Nothing of the group was written (a full disk, a damaged file): every write in it is refused alike.
      const error = toErrorData(e);
      return group.map(() => ({ ok: false, error }));
    }
  }

  /** Forgets answers older than 24 hours. */
  async prune(): Promise<number> {
    const r = await this.db().deleteFrom('idempotencyKeys').where('createdAt', '<', new Date(this.now().getTime() - KEEP_MS).toISOString()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
