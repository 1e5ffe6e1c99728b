// "Today" and "now" in the office's time zone, never the machine's UTC date. Injectable so tests fake time, not data.
// The time-zone arithmetic itself is pure and shared by every floor (shared/time.ts).
import { DEFAULT_TIME_ZONE, dateIn, isoIn, timeIn } from '../shared/time.ts';

export interface Clock {
  now(): Date;
  timeZone: string;
}

export function systemClock(timeZone = DEFAULT_TIME_ZONE): Clock {
  return { now: () => new Date(), timeZone };
}

/** A clock stopped at one instant (tests, seed); `set` moves it. */
export function fixedClock(iso: string, timeZone = DEFAULT_TIME_ZONE): Clock & { set(iso: string): void } {
  let t = new Date(iso);
  return {
    now: () => new Date(t.getTime()),
    timeZone,
    set(next: string) {
      t = new Date(next);
    },
  };
}

export function today(clock: Clock): string {
  return dateIn(clock.now(), clock.timeZone);
}

/** 'HH:mm' wall-clock time in the clock's zone. */
export function timeOfDay(clock: Clock): string {
  return timeIn(clock.now(), clock.timeZone);
}

export function nowIso(clock: Clock): string {
  return isoIn(clock.now(), clock.timeZone);
}
