// `import` and `export` on the command line with --db postgres://…: the upstream sample list (test/fixtures, the same
// file as ../shared/fixtures) gives what its .expected.json says; a tests list of the imported people is recorded; every
// Excel report of `export` is written and read back (rows as printed, masked unless --unmasked). The jobs run in the
// host's thread on PostgreSQL. The password never shows in any output.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../electron/db/postgres.ts';
import { checkCountersPg } from '../../electron/db/pg/counters.ts';
import { verifyAuditChain } from '../../electron/db/audit-chain.ts';
import { cliHidingPassword } from '../helpers/pg-cli.ts';
import { adminQuery, pgDatabaseUrl } from '../helpers/pg-db.ts';
import { tempDir } from '../helpers/env.ts';
import { xlsxBuffer } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { everything, readBack } from '../unit/export-fixture.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/sample-upstream-list.xlsx');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/sample-upstream-list.expected.json'), 'utf8')) as {
  dataRows: number;
  imported: number;
  errorRows: number;
  errors: { row: number; reason: string }[];
  rowWarningsAtLeast: number;
  households: number;
};
const NAME = `idesk_data${process.pid}`;
const SEEDED = `idesk_datas${process.pid}`;
let url: string;
let seededUrl: string;
let password: string;
let dir: string;

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${NAME}`);
  await adminQuery(`CREATE DATABASE ${SEEDED}`);
  url = pgDatabaseUrl(NAME);
  seededUrl = pgDatabaseUrl(SEEDED);
  password = decodeURIComponent(new URL(url).password);
  dir = tempDir('idesk-pgdata-');
});

afterAll(async () => {
  await adminQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await adminQuery(`DROP DATABASE IF EXISTS ${SEEDED} WITH (FORCE)`);
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]) => cliHidingPassword(password, argv);

async function count(u: string, table: 'residents' | 'episodes' | 'households' | 'tests' | 'auditLog'): Promise<number> {
  const h = await openPostgres(u, { readonly: true });
  try {
    return Number((await h.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  } finally {
    await h.close();
  }
}

describe('import on PostgreSQL from the command line', () => {
  it('the upstream sample list: refused whole by default (nothing written), then valid-only gives what the fixture says', async () => {
    expect((await cli('init', '--db', url, '--district', '广阳区', '--subdistrict', '解放道街道')).code).toBe(0);
    const refused = await cli('import', 'residents', FIXTURE, '--db', url, '--json');
    expect(refused.code).toBe(1);
    expect(await count(url, 'residents')).toBe(0);
    const r = await cli('import', 'residents', FIXTURE, '--db', url, '--mode', 'valid-only', '--create-communities', '--stale', 'active', '--other-subdistrict', '--errors-out', path.join(dir, 'errors.xlsx'), '--json');
    expect(r.code, r.text).toBe(0);
    const s = r.json as { imported: number; households: number; errors: { row: number; code: string }[]; warnings: { row: number | null }[]; errorsFile?: string };
    expect(s.imported).toBe(EXPECTED.imported);
    expect(s.households).toBe(EXPECTED.households);
    expect([...new Set(s.errors.map((e) => e.row))].sort()).toEqual(EXPECTED.errors.map((e) => e.row).sort());
    expect(s.errors.map((e) => e.code).sort()).toEqual(EXPECTED.errors.map((e) => e.reason).sort());
    expect(s.warnings.filter((w) => w.row !== null).length).toBeGreaterThanOrEqual(EXPECTED.rowWarningsAtLeast);
    expect(await count(url, 'residents')).toBe(EXPECTED.imported);
    expect(await count(url, 'episodes')).toBe(EXPECTED.imported);
    expect(await count(url, 'households')).toBe(EXPECTED.households);
    // The rejected rows went to --errors-out, as the office would correct them.
    const errs = await readBack(s.errorsFile!);
    expect(errs.rows.length).toBeGreaterThanOrEqual(EXPECTED.errorRows);
    const h = await openPostgres(url);
    try {
      expect(await checkCountersPg(h.db)).toEqual([]);
      expect(await verifyAuditChain(h.db)).toMatchObject({ ok: true, problems: [] });
    } finally {
      await h.close();
    }
  });

  it('a tests list of the imported people: each positive raises an alert; an unknown person is listed unmatched', async () => {
    const h = await openPostgres(url, { readonly: true });
    const people = await h.db.selectFrom('residents').select(['name', 'docNumber']).orderBy('id').limit(3).execute();
    await h.close();
    const list = await xlsxBuffer({
      rows: [
        ['姓名', '身份证号', '采样日期', '检测结果'],
        [people[0].name, people[0].docNumber, '2022-01-19', '阴性'],
        [people[1].name, people[1].docNumber, '2022-01-19', '阳性'],
        [people[2].name, people[2].docNumber, '2022-01-19', '阴性'],
        ['不在册', makeIdNumber('110101', '1990-03-07', 777), '2022-01-19', '阴性'],
      ],
    });
    const file = path.join(dir, '检测结果.xlsx');
    fs.writeFileSync(file, list);
    const r = await cli('import', 'tests', file, '--db', url, '--mode', 'valid-only', '--json');
    expect(r.code, r.text).toBe(0);
    expect(r.json).toMatchObject({ recorded: 3, alerts: 1, unmatched: [expect.anything()] });
    expect(await count(url, 'tests')).toBe(3);
    // Again: already recorded, nothing new.
    const again = await cli('import', 'tests', file, '--db', url, '--mode', 'valid-only', '--json');
    expect(again.json).toMatchObject({ recorded: 0, skipped: 3 });
    expect(await count(url, 'tests')).toBe(3);
  });

  it('a file that is not a list: exit 2, nothing written', async () => {
    const bad = path.join(dir, 'bad.xlsx');
    fs.writeFileSync(bad, 'not a workbook');
    const before = await count(url, 'auditLog');
    const r = await cli('import', 'residents', bad, '--db', url);
    expect(r.code).toBe(2);
    expect(await count(url, 'residents')).toBe(EXPECTED.imported);
    expect(await count(url, 'auditLog')).toBe(before);
  });
});

describe('export on PostgreSQL from the command line', () => {
  const TODAY = '2022-01-20';
  it.each(['daily-report', 'roster', 'checkins', 'supplies', 'cadres', 'cadre-work'])('%s of a seeded database is written and reads back', async (report) => {
    if ((await count(seededUrl, 'residents').catch(() => 0)) === 0) {
      const seeded = await cli('seed-demo', '--db', seededUrl, '--residents', '300', '--today', TODAY);
      expect(seeded.code, seeded.text).toBe(0);
    }
    const out = path.join(dir, `${report}.xlsx`);
    const range = report === 'checkins' || report === 'cadre-work' ? ['--from', '2022-01-18', '--to', TODAY] : [];
    const r = await cli('export', report, '--db', seededUrl, '--date', TODAY, '--out', out, ...range, '--json');
    expect(r.code, r.text).toBe(0);
    const j = r.json as { file: string; rows: number; masked: boolean; title: string };
    expect(j).toMatchObject({ file: out, masked: true });
    expect(j.rows).toBeGreaterThan(0);
    const rb = await readBack(out);
    expect(String(rb.rows[0][0])).toContain(j.title);
    expect(rb.rows[rb.rows.length - 1][0]).toBe('合计');
    // No full ID number anywhere in the masked file.
    const h = await openPostgres(seededUrl, { readonly: true });
    const ids = (await h.db.selectFrom('residents').select('docNumber').where('docNumber', 'is not', null).execute()).map((x) => x.docNumber!);
    await h.close();
    const all = everything(rb);
    for (const id of ids) expect(all).not.toContain(id);
  });

  it('roster --unmasked holds every active person with the full ID number; the export is audited', async () => {
    const out = path.join(dir, 'roster-unmasked.xlsx');
    const r = await cli('export', 'roster', '--db', url, '--date', TODAY, '--out', out, '--unmasked', '--json');
    expect(r.code, r.text).toBe(0);
    expect(r.json).toMatchObject({ rows: EXPECTED.imported, masked: false });
    const h = await openPostgres(url, { readonly: true });
    try {
      const ids = (await h.db.selectFrom('residents').select('docNumber').where('docNumber', 'is not', null).execute()).map((x) => x.docNumber!);
      const all = everything(await readBack(out));
      for (const id of ids) expect(all).toContain(id);
      const audit = await h.db.selectFrom('auditLog').select('details').where('action', '=', 'report.export').execute();
      expect(audit.some((a) => JSON.parse(a.details!).path === out && JSON.parse(a.details!).masked === false)).toBe(true);
    } finally {
      await h.close();
    }
  });
});
