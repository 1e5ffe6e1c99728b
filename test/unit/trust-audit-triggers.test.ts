// The audit log is append-only in the database itself: raw SQL cannot change or delete a row, except a DELETE inside
// the purge's own transaction while the gate row exists.
import { afterEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';

let t: TestEnv;
afterEach(async () => t?.close());

describe('audit triggers', () => {
  it('refuse UPDATE and DELETE of audit_log from raw SQL', async () => {
    t = await makeEnv();
    const raw = t.handle.sqlite;
    const before = raw.prepare('SELECT * FROM audit_log ORDER BY id').all();
    expect(before.length).toBeGreaterThan(0);
    expect(() => raw.prepare("UPDATE audit_log SET user_name = 'someone' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => raw.prepare("UPDATE audit_log SET details = NULL").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_log WHERE id = 1').run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(raw.prepare('SELECT * FROM audit_log ORDER BY id').all()).toEqual(before);
  });

  it('let a DELETE through only while the purge gate holds a row, and UPDATE never', async () => {
    t = await makeEnv();
    const raw = t.handle.sqlite;
    const n = raw.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
    raw.exec('BEGIN');
    raw.prepare('INSERT INTO audit_purge_gate (id) VALUES (1)').run();
    expect(() => raw.prepare("UPDATE audit_log SET details = '{}' WHERE id = 1").run()).toThrow(/append-only/);
    raw.prepare('DELETE FROM audit_log WHERE id = 1').run();
    raw.prepare('DELETE FROM audit_purge_gate').run();
    expect(() => raw.prepare('DELETE FROM audit_log WHERE id = 2').run()).toThrow(/append-only/);
    raw.exec('COMMIT');
    expect(raw.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBe(n - 1);
    expect(raw.prepare('SELECT COUNT(*) FROM audit_purge_gate').pluck().get()).toBe(0);
  });
});
