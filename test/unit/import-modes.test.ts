// The upstream sample list gives exactly its expected counts; all-or-nothing leaves a real database file unchanged in
// content (every table, sqlite_sequence included); valid-only writes the valid rows in ONE transaction.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { dumpContent, listFile, listRequest, people, STANDARD_HEADER, standardRows, wrongCheck } from '../helpers/lists.ts';
import { previewImport, runImport } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/sample-upstream-list.xlsx');
const EXPECTED = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/sample-upstream-list.expected.json'), 'utf8')) as {
  dataRows: number;
  blankRows: number;
  imported: number;
  errorRows: number;
  errors: { row: number; reason: string }[];
  rowWarningsAtLeast: number;
  households: number;
};

let env: TestEnv;
let dir: string;
beforeEach(async () => {
  dir = tempDir('idesk-import-modes-');
  env = await makeEnv({ file: path.join(dir, 'desk.db') });
});
afterEach(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const count = async (table: 'residents' | 'episodes' | 'households' | 'importBatches') =>
  Number((await env.handle.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('the upstream sample list (test/fixtures/sample-upstream-list.xlsx)', () => {
  it('preview gives the expected counts and rejected rows, and writes nothing', async () => {
    const before = dumpContent(env.handle.sqlite);
    const p = await previewImport(env.ctx(), listRequest(FIXTURE));
    expect(p.kind).toBe('residents');
    if (p.kind !== 'residents') return;
    expect(p.headerRow).toBe(2);
    expect(p.counts.dataRows).toBe(EXPECTED.dataRows);
    expect(p.counts.blankRows).toBe(EXPECTED.blankRows);
    expect(p.counts.valid).toBe(EXPECTED.imported);
    expect(p.counts.rejected).toBe(EXPECTED.errorRows);
    expect(p.counts.households).toBe(EXPECTED.households);
    expect(p.errors.map((e) => ({ row: e.row, reason: e.code }))).toEqual(EXPECTED.errors);
    for (const e of p.errors) {
      expect(e.column).toBe('身份证号');
      expect(e.reason).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(p.warnings.filter((w) => w.row !== null).length).toBeGreaterThanOrEqual(EXPECTED.rowWarningsAtLeast);
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
  });

  it('valid-only imports exactly the expected people and households', async () => {
    const s = (await runImport(env.ctx(), listRequest(FIXTURE, { mode: 'valid-only' }))) as ImportSummary;
    expect(s.status).toBe('written');
    expect(s.imported).toBe(EXPECTED.imported);
    expect(s.updated + s.skipped).toBe(0);
    expect(s.households).toBe(EXPECTED.households);
    expect(s.errors.map((e) => ({ row: e.row, reason: e.code }))).toEqual(EXPECTED.errors);
    expect(await count('residents')).toBe(EXPECTED.imported);
    expect(await count('episodes')).toBe(EXPECTED.imported);
    expect(await count('households')).toBe(EXPECTED.households);
    // The two rejected people are not there, whatever became of their digits.
    const names = (await env.handle.db.selectFrom('residents').select('name').execute()).map((r) => r.name);
    expect(names).not.toContain('邱彩建');
    expect(names).not.toContain('邹桂楠');
    expect(names).toContain('刘思俊');
  });

  it('all-or-nothing rejects the list and leaves the database file unchanged in content', async () => {
    const before = dumpContent(env.handle.sqlite);
    const s = (await runImport(env.ctx(), listRequest(FIXTURE))) as ImportSummary;
    expect(s.status).toBe('rejected');
    expect(s.batchId).toBeNull();
    expect(s.imported).toBe(0);
    expect(s.errors.map((e) => e.row)).toEqual(EXPECTED.errors.map((e) => e.row));
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
  });
});

describe('modes on a real database file', () => {
  it('all-or-nothing: one bad row among many → nothing at all is written (every table, sequences too)', async () => {
    // Something already there, so "unchanged" is not the same as "empty".
    const first = await listFile(dir, 'first.xlsx', { rows: [STANDARD_HEADER, ...standardRows(people(5))] });
    expect(((await runImport(env.ctx(), listRequest(first))) as ImportSummary).status).toBe('written');
    const list = people(300).slice(5);
    const rows = standardRows(list);
    rows[150][2] = wrongCheck(list[150].id);
    const file = await listFile(dir, 'second.xlsx', { titles: ['西大街社区隔离人员名单'], rows: [STANDARD_HEADER, ...rows] });
    const before = dumpContent(env.handle.sqlite);
    const s = (await runImport(env.ctx(), listRequest(file))) as ImportSummary;
    expect(s.status).toBe('rejected');
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ row: 153, code: 'id-checksum', column: '身份证号', cell: 'C153' });
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
    // The file on disk too: reopen it through a separate connection.
    await env.close();
    env = await makeEnv({ file: path.join(dir, 'other.db') });
    const SqliteDatabase = (await import('better-sqlite3-multiple-ciphers')).default;
    const again = new SqliteDatabase(path.join(dir, 'desk.db'), { readonly: true });
    try {
      expect(dumpContent(again)).toEqual(before);
    } finally {
      again.close();
    }
  });

  it('valid-only: the valid rows are written, the rejected ones listed, one batch recorded', async () => {
    const list = people(40);
    const rows = standardRows(list);
    rows[3][2] = wrongCheck(list[3].id);
    rows[10][1] = '';
    const file = await listFile(dir, 'valid-only.xlsx', { rows: [STANDARD_HEADER, ...rows] });
    const s = (await runImport(env.ctx(), listRequest(file, { mode: 'valid-only' }))) as ImportSummary;
    expect(s.status).toBe('written');
    expect(s.imported).toBe(38);
    expect(s.errors.map((e) => [e.row, e.code])).toEqual([
      [5, 'id-checksum'],
      [12, 'name-missing'],
    ]);
    expect(await count('residents')).toBe(38);
    expect(await count('importBatches')).toBe(1);
    const ids = await env.handle.db.selectFrom('residents').select('docNumber').execute();
    expect(ids.map((r) => r.docNumber)).not.toContain(list[10].id);
  });

  it('valid-only is still ONE transaction: cancelled half-way through writing, nothing remains', async () => {
    const list = people(5000);
    const rows = standardRows(list);
    rows[7][2] = wrongCheck(list[7].id);
    const file = await listFile(dir, 'big.xlsx', { rows: [STANDARD_HEADER, ...rows] });
    const before = dumpContent(env.handle.sqlite);
    let written = 0;
    const cancelled = await runImport(env.ctx(), listRequest(file, { mode: 'valid-only' }), {
      progress: (p) => {
        if (p.phase === '写入') written = p.done;
      },
      checkCancelled: () => {
        if (written >= 2000) throw new Error('cancelled by the test');
      },
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(cancelled?.message).toBe('cancelled by the test');
    expect(written).toBeGreaterThanOrEqual(2000);
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
  }, 120_000);
});
