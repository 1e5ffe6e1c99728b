// Whether a PostgreSQL URL can be used before it is kept (设置 › 共享 › 服务器的数据库): one connection, a few
// seconds at most, read-only; answers the schema version it finds (0 = empty, init runs at the next start).
import pg from 'pg';

export interface PgProbe {
  ok: boolean;
  schemaVersion: number;
  /** Why it could not connect (the driver's words; never the password). */
  reason?: string;
}

export async function probePostgres(url: string, timeoutMs = 5000): Promise<PgProbe> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, application_name: 'isolation-desk-check' });
  c.on('error', () => {});
  try {
    await c.connect();
    const has = (await c.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`)).rows[0];
    const v = has?.t ? Number((await c.query<{ v: string | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0) : 0;
    return { ok: true, schemaVersion: v };
  } catch (e) {
    const pw = (() => {
      try {
        return decodeURIComponent(new URL(url).password);
      } catch {
        return '';
      }
    })();
    let reason = (e as Error)?.message || String(e);
    if (pw) reason = reason.split(pw).join('***');
    return { ok: false, schemaVersion: 0, reason };
  } finally {
    await c.end().catch(() => {});
  }
}
