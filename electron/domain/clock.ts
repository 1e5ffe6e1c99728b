// "Today" and "now" in the office's time zone, never the machine's UTC date. Injectable so tests fake time, not data.
import { DEFAULT_TIME_ZONE } from '../shared/settings.ts';

export { DEFAULT_TIME_ZONE };

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

const partsCache = new Map<string, Intl.DateTimeFormat>();
function parts(date: Date, timeZone: string): Record<string, string> {
  let f = partsCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    partsCache.set(timeZone, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** The calendar date 'YYYY-MM-DD' of an instant in a time zone. */
export function dateIn(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

export function today(clock: Clock): string {
  return dateIn(clock.now(), clock.timeZone);
}

/** 'HH:mm' wall-clock time in the clock's zone. */
export function timeOfDay(clock: Clock): string {
  const p = parts(clock.now(), clock.timeZone);
  return `${p.hour}:${p.minute}`;
}

/** ISO-8601 with the zone's offset, e.g. 2022-01-12T09:30:00+08:00. */
export function isoIn(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  const local = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offsetMin = Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${off}`;
}

export function nowIso(clock: Clock): string {
  return isoIn(clock.now(), clock.timeZone);
}
