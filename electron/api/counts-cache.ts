// The office server's short-lived cache of the check-in counters. Every PC refreshes its slot counter after each
// entry and whenever the live feed reports a check-in elsewhere; at 100,000 people one count is a pass over all
// episodes (hundreds of ms), so with twenty PCs saving it cannot be recounted for each of them. Here it is counted
// for every community in one pass, at most once per `maxStaleMs` while writes keep coming (and again only when the
// change log moved); each caller then sums the communities it may see. A counter may lag a save by up to maxStaleMs;
// the saved row itself is answered at once, and the live feed refreshes the counter again right after.
import type { Ctx } from '../domain/context.ts';
import type { Slot } from '../db/schema.ts';
import { dueCountsByCommunity } from '../domain/checkins.ts';
import { changeLogBounds } from '../db/change-log.ts';

type Counts = Map<number, { due: number; done: number }>;

export class SlotCountsCache {
  private readonly entries = new Map<string, { at: number; seq: number; value: Promise<Counts> }>();
  private readonly maxStaleMs: number;

  constructor(maxStaleMs = 1000) {
    this.maxStaleMs = maxStaleMs;
  }

  get(ctx: Ctx, date: string, slot: Slot): Promise<Counts> {
    const key = `${date}|${slot}`;
    const hit = this.entries.get(key);
    const now = performance.now();
    if (hit && now - hit.at < this.maxStaleMs) return hit.value;
    const value = (async () => {
      const seq = (await changeLogBounds(ctx.db)).head;
      if (hit && hit.seq === seq) return hit.value;
      const counts = await dueCountsByCommunity(ctx, date, slot);
      const entry = this.entries.get(key);
      if (entry) entry.seq = seq;
      return counts;
    })();
    // Set before the count runs, so callers arriving meanwhile share it instead of counting again.
    this.entries.set(key, { at: now, seq: hit?.seq ?? -1, value });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 64) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
