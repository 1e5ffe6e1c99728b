// Calendar arithmetic in a named time zone (the office's, never the machine's UTC date), pure: every floor uses it —
// the domain's clock (domain/clock.ts), backup file names (db/backup.ts), due times of supply requests.
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

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

/** 'HH:mm' wall-clock time of an instant in a time zone. */
export function timeIn(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
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

/** The instant a calendar date 'YYYY-MM-DD' begins (00:00) in a time zone. */
export function startOfDayIn(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  // The zone's offset near that moment (isoIn's suffix), taken off the UTC midnight of the same wall-clock date.
  const off = isoIn(new Date(guess), timeZone).slice(19);
  const sign = off.startsWith('-') ? -1 : 1;
  const [hh, mm] = off.slice(1).split(':').map(Number);
  return new Date(guess - sign * (hh * 60 + mm) * 60_000);
}
