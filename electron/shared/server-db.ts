// The database the desktop app's office server works on (设置 › 共享 › 服务器的数据库): this PC's data file, or a
// PostgreSQL database given by its URL. Pure checks shared by the settings page and the core.

/** postgres://user:password@host:port/name, as the clerk may paste it. */
export const PG_URL_EXAMPLE = 'postgres://idesk:密码@192.168.1.20:5432/district';

/**
 * A PostgreSQL URL the app can use: postgres:// or postgresql://, a user, a host, an optional port 1–65535 and one
 * database name; no more than 500 characters. Returns it trimmed, or null when it is not one.
 */
export function checkPgUrl(text: string): string | null {
  const s = text.trim();
  if (s.length > 500 || !/^postgres(ql)?:\/\//i.test(s)) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (!u.hostname || !u.username) return null;
  if (u.port && (Number(u.port) < 1 || Number(u.port) > 65535)) return null;
  const name = u.pathname.replace(/^\//, '');
  if (!name || name.includes('/')) return null;
  return s;
}

/** The URL as shown to people and written to logs: its password replaced by ***. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
