// 定期需求 on a timer: the recurring-need schedules create the day's supply requests when the app or the office server
// starts and then every hour (an office PC left on over midnight gets the new day's), as the system user. A run is
// idempotent (need_schedule_runs), so the hourly repeats, a second process on the same file or a CLI run in between
// never create a request twice. A failure is logged and never stops the app.
import type { Clock } from '../domain/clock.ts';
import { today } from '../domain/clock.ts';
import { SYSTEM_ACTOR } from '../domain/actor.ts';
import { runNeedSchedules, type ScheduleRunResult } from '../domain/need-schedules.ts';
import type { Db } from '../db/open.ts';
import { isDistrictReader } from '../db/engine.ts';

export interface NeedScheduleTimer {
  /** Runs today's schedules now (also done by the timer). */
  runNow(): Promise<ScheduleRunResult | null>;
  stop(): Promise<void>;
}

export function startNeedSchedules(env: { db: Db; clock: Clock }, opts: { intervalMs?: number; log?: (message: string) => void } = {}): NeedScheduleTimer {
  const log = opts.log ?? ((m) => console.warn(m));
  let running: Promise<ScheduleRunResult | null> = Promise.resolve(null);
  const runNow = () => {
    running = running
      .catch(() => null)
      .then(async () => {
        // env.db is read each time: a restore swaps the connection. A district reader's server (区级只读) writes no
        // requests: each subdistrict's own server runs its schedules.
        if (await isDistrictReader(env.db)) return null;
        const r = await runNeedSchedules({ db: env.db, actor: SYSTEM_ACTOR, clock: env.clock }, today(env.clock));
        if (r.created.length) log(`定期需求：${r.date} 新建物资需求 ${r.created.length} 条`);
        return r;
      })
      .catch((e: unknown) => {
        log(`定期需求生成失败：${(e as Error)?.message ?? String(e)}`);
        return null;
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), opts.intervalMs ?? 60 * 60 * 1000);
  timer.unref?.();
  void runNow();
  return {
    runNow,
    async stop() {
      clearInterval(timer);
      await running.catch(() => null);
    },
  };
}
