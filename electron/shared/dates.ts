// Calendar checks on 'YYYY-MM-DD' strings shared by every floor (the domain's date arithmetic is in domain/dates.ts).
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real calendar date written YYYY-MM-DD (called per cell and per row by imports: no Date objects). */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  // y < 100: Date.UTC maps years 0–99 to 1900–1999, and this always refused them.
  if (y < 100 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1]);
}
