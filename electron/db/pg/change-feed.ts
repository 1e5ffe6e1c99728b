// Reading the change log on PostgreSQL without skipping a row (the office server's live feed, server/live.ts).
//
// change_log.seq comes from a sequence, and transactions commit in any order: A takes seq 10, B takes 11, B commits,
// a reader sees 11 and moves on; when A commits, "seq > 11" never returns 10. So the reader keeps the seqs it has not
// seen below the highest it has seen (holes) and reads them again each time, until each hole is settled: no
// transaction that could still fill it is running. A hole is seen at a snapshot with xmax X; the transaction that took
// its seq did so before that snapshot (seqs are handed out in order, and a higher one was already committed), and it
// had its transaction id by then (the change log is written by AFTER triggers, after the row's own write gave the
// transaction its id), so its id is below X. Once a later snapshot's xmin is at or above X, every such transaction
// has ended, and a row it committed is visible to that snapshot: read then, the hole is filled or is for good (a
// rolled-back write). Holes also wait at least SETTLE_MS, a margin on top. `settled` is the seq below which
// everything is final; clients are told it and ask "since" it on reconnect (a repeat notice only refreshes twice).
import { sql } from 'kysely';
import type { Db } from '../open.ts';
import type { ChangeNotice } from '../change-log.ts';

/** A hole is never settled sooner than this after it was first seen. */
export const SETTLE_MS = 1000;
/** How far back below the head the reader looks for holes when it starts (transactions running at that moment). */
export const START_WINDOW = 10_000;

interface Hole {
  lo: number;
  hi: number;
  /** pg_snapshot_xmax of the snapshot it was first seen in. */
  xmax: bigint;
  seenAt: number;
}

export interface FeedRead {
  /** Newly visible rows (fresh ones and holes filled), oldest first; empty when `overflow`. */
  changes: ChangeNotice[];
  /** More than the batch at once: every client reloads instead. */
  overflow: boolean;
  /** Everything at or below this seq is final. */
  settled: number;
  /** The highest seq read so far. */
  high: number;
}

const toNotice = (r: { seq: number; tbl: string; rowId: number; communityId: number | null }): ChangeNotice => ({ seq: Number(r.seq), table: r.tbl, id: Number(r.rowId), communityId: r.communityId === null ? null : Number(r.communityId) });

export class PgChangeCursor {
  private holes: Hole[] = [];
  private high = 0;
  private readonly batch: number;
  private readonly now: () => number;

  constructor(batch: number, now: () => number = Date.now) {
    this.batch = batch;
    this.now = now;
  }

  get settled(): number {
    return this.holes.length ? this.holes[0].lo - 1 : this.high;
  }

  get seen(): number {
    return this.high;
  }

  /** The number of unsettled holes (tests). */
  get holeCount(): number {
    return this.holes.length;
  }

  /** Starts at the head of the log; seqs missing in the START_WINDOW below it are holes (their writers may run still). */
  async start(db: Db): Promise<void> {
    await snapshotRead(db, async (trx, snap) => {
      const head = Number((await sql<{ h: number | null }>`SELECT max(seq) AS h FROM change_log`.execute(trx)).rows[0]?.h ?? 0);
      this.high = head;
      this.holes = await gapsBetween(trx, Math.max(0, head - START_WINDOW), head, snap.xmax, this.now());
      this.settle(snap.xmin);
    });
  }

  /** Reads what became visible since the last read (one snapshot) and settles what can be settled. */
  async read(db: Db): Promise<FeedRead> {
    return snapshotRead(db, async (trx, snap) => {
      const now = this.now();
      const batch = this.batch;
      let overflow = false;
      let fills: ChangeNotice[] = [];
      if (this.holes.length) {
        const los = this.holes.map((h) => h.lo);
        const his = this.holes.map((h) => h.hi);
        const rows = (
          await sql<{ seq: number; tbl: string; rowId: number; communityId: number | null }>`SELECT c.seq, c.tbl, c.row_id AS "rowId", c.community_id AS "communityId"
            FROM unnest(${los}::bigint[], ${his}::bigint[]) AS h(lo, hi) JOIN change_log c ON c.seq BETWEEN h.lo AND h.hi
            ORDER BY c.seq LIMIT ${batch + 1}`.execute(trx)
        ).rows;
        if (rows.length > batch) overflow = true;
        else fills = rows.map(toNotice);
      }
      const fresh = (
        await sql<{ seq: number; tbl: string; rowId: number; communityId: number | null }>`SELECT seq, tbl, row_id AS "rowId", community_id AS "communityId"
          FROM change_log WHERE seq > ${this.high} ORDER BY seq LIMIT ${batch + 1}`.execute(trx)
      ).rows.map(toNotice);
      if (fresh.length > batch) overflow = true;

      if (overflow) {
        // Too much at once (a big import): clients reload everything; the holes are worked out again from the log.
        const head = Number((await sql<{ h: number | null }>`SELECT max(seq) AS h FROM change_log`.execute(trx)).rows[0]?.h ?? 0);
        const from = this.settled;
        const keep = this.holes;
        this.holes = await gapsBetween(trx, from, Math.max(head, this.high), snap.xmax, now);
        // A hole known before keeps its first sighting (settling is never later than it would have been).
        for (const h of this.holes) {
          const old = keep.find((k) => k.lo <= h.lo && h.hi <= k.hi);
          if (old) {
            h.xmax = old.xmax;
            h.seenAt = old.seenAt;
          }
        }
        this.high = Math.max(head, this.high);
        this.settle(snap.xmin);
        return { changes: [], overflow: true, settled: this.settled, high: this.high };
      }

      for (const f of fills) this.fill(f.seq);
      let prev = this.high;
      for (const c of fresh) {
        if (c.seq > prev + 1) this.holes.push({ lo: prev + 1, hi: c.seq - 1, xmax: snap.xmax, seenAt: now });
        prev = c.seq;
      }
      this.high = prev;
      this.settle(snap.xmin);
      const changes = [...fills, ...fresh].sort((a, b) => a.seq - b.seq);
      return { changes, overflow: false, settled: this.settled, high: this.high };
    });
  }

  /** Removes `seq` from the hole that holds it (split in two when inside). */
  private fill(seq: number): void {
    const i = this.holes.findIndex((h) => h.lo <= seq && seq <= h.hi);
    if (i < 0) return;
    const h = this.holes[i];
    const parts: Hole[] = [];
    if (h.lo < seq) parts.push({ ...h, hi: seq - 1 });
    if (seq < h.hi) parts.push({ ...h, lo: seq + 1 });
    this.holes.splice(i, 1, ...parts);
  }

  /** Drops the holes no running transaction can fill any more (and seen long enough ago). */
  private settle(xmin: bigint): void {
    const now = this.now();
    this.holes = this.holes.filter((h) => !(h.xmax <= xmin && now - h.seenAt >= SETTLE_MS));
  }
}

interface Snap {
  xmin: bigint;
  xmax: bigint;
}

/** Runs `fn` in a read-only REPEATABLE READ transaction: every statement sees the snapshot `snap` describes. */
async function snapshotRead<T>(db: Db, fn: (trx: Db, snap: Snap) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const r = (await sql<{ xmin: string; xmax: string }>`SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() AS s`.execute(trx)).rows[0];
      return fn(trx, { xmin: BigInt(r.xmin), xmax: BigInt(r.xmax) });
    });
}

/** The seqs in (from, to] with no visible row, as ranges. */
async function gapsBetween(db: Db, from: number, to: number, xmax: bigint, seenAt: number): Promise<Hole[]> {
  if (to <= from) return [];
  const rows = (
    await sql<{ lo: number; hi: number }>`SELECT lo, hi FROM (
        SELECT lag(seq, 1, ${from}::bigint) OVER (ORDER BY seq) + 1 AS lo, seq - 1 AS hi FROM change_log WHERE seq > ${from} AND seq <= ${to}
      ) g WHERE lo <= hi ORDER BY lo`.execute(db)
  ).rows;
  return rows.map((r) => ({ lo: Number(r.lo), hi: Number(r.hi), xmax, seenAt }));
}
