// Idempotency keys of writes sent over the network (the payments-API pattern): the client makes a fresh key for each
// logical write and sends it again on retry; the first answer is kept for 24 hours under (device, key), so a retry
// after a lost reply gets that answer and the write is applied once. A retry that arrives while the first call is
// still running waits for it.
import type { Db } from '../db/open.ts';
import type { ApiResult } from '../api/dispatch.ts';
import { fail } from '../shared/errors.ts';

export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_-]{8,100}$/;
export const KEEP_MS = 24 * 3600_000;

/** Answers that a retry may repeat: every success and every refusal except the server's own trouble. */
const keepable = (r: ApiResult<unknown>) => r.ok || (r.error.code !== 'INTERNAL' && r.error.code !== 'STORAGE');

export class IdempotencyStore {
  private readonly running = new Map<string, Promise<ApiResult<unknown>>>();
  private readonly db: () => Db;
  private readonly now: () => Date;
  constructor(db: () => Db, now: () => Date) {
    this.db = db;
    this.now = now;
  }

  /** Runs `call` once per (device, key); a repeat gets the kept answer. A key reused for another channel is refused. */
  async run(deviceId: number, key: string, channel: string, call: () => Promise<ApiResult<unknown>>): Promise<ApiResult<unknown>> {
    const slot = `${deviceId}\u0000${key}`;
    const pending = this.running.get(slot);
    if (pending) return pending;
    const p = (async (): Promise<ApiResult<unknown>> => {
      const kept = await this.db().selectFrom('idempotencyKeys').select(['channel', 'answer']).where('deviceId', '=', deviceId).where('key', '=', key).executeTakeFirst();
      if (kept) {
        if (kept.channel !== channel) return { ok: false, error: fail('VALIDATION', 'server.idempotencyKey').toJSON() };
        return JSON.parse(kept.answer) as ApiResult<unknown>;
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
      this.running.delete(slot);
    }
  }

  /** Forgets answers older than 24 hours. */
  async prune(): Promise<number> {
    const r = await this.db().deleteFrom('idempotencyKeys').where('createdAt', '<', new Date(this.now().getTime() - KEEP_MS).toISOString()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
