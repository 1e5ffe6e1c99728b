// Checks of a few setting formats, free of zod so the renderer's forms can use them without loading it.

/** A cutoff time, 00:00–23:59. */
export const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * An IANA time-zone name the platform knows ('Asia/Shanghai', 'UTC'); offsets such as '+08:00' are refused too,
 * as they ignore the place's rules. Intl is there in Node, Electron and every browser.
 */
export function isIanaTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * A folder given in full: POSIX '/srv/backups', Windows 'C:\backups' or 'C:/backups', a share '\\server\share'.
 * Relative paths ('../../tmp/x', 'backups', 'C:x') are refused: they would depend on where the app was started.
 */
export function isAbsoluteFolder(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || /^\\\\[^\\/]+[\\/][^\\/]+/.test(p);
}
