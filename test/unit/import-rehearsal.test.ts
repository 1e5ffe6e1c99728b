// The spare job worker's warm-up (excel/import/rehearse.ts): it really runs the import's code (reading the
// workbook's XML, checking, writing), in memory only — a real import by that spare afterwards writes the clerk's list
// and nothing of the made-up one.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { listFile, listRequest, people, STANDARD_HEADER, standardRows } from '../helpers/lists.ts';
import { rehearseImport } from '../../electron/excel/import/rehearse.ts';
import { keepWorkerReady, spareThreadId, startJob } from '../../electron/jobs/runner.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';

let env: TestEnv | null = null;
let dir = '';
afterEach(async () => {
  await keepWorkerReady(false);
  await env?.close();
  env = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the import warm-up', () => {
  it('reads, checks and writes its made-up list through the import code, every row accepted', async () => {
    const s = await rehearseImport(600);
    expect(s).toMatchObject({ status: 'written', imported: 600, updated: 0, skipped: 0, errors: [] });
    expect(s.households).toBeGreaterThan(100);
    expect(s.newPlaces.map((p) => p.name)).toEqual(expect.arrayContaining(['东社区', '西社区', '金桥小区']));
  });

  it('a warmed-up spare imports the clerk’s list into the office database, and nothing of the warm-up', async () => {
    dir = tempDir('idesk-rehearsal-');
    env = await makeEnv({ file: path.join(dir, 'desk.db') });
    await keepWorkerReady(true);
    const spare = spareThreadId();
    expect(spare).not.toBeNull();
    const file = await listFile(dir, 'list.xlsx', { rows: [STANDARD_HEADER, ...standardRows(people(30))] });
    const out = await startJob<ImportSummary>('import.residents', { ...listRequest(file), mode: 'all-or-nothing' }, { dbFile: env.env.dbFile, actor: CLI_ACTOR, clock: env.clock }).done;
    expect(out.state).toBe('succeeded');
    if (out.state !== 'succeeded') return;
    expect(out.result.imported).toBe(30);
    const db = env.handle.sqlite;
    expect(db.prepare('SELECT COUNT(*) FROM residents').pluck().get()).toBe(30);
    expect(db.prepare("SELECT COUNT(*) FROM places WHERE name IN ('东社区', '西社区', '某街道')").pluck().get()).toBe(0);
    expect(db.prepare("SELECT COUNT(*) FROM import_batches WHERE file_name = 'rehearsal.xlsx'").pluck().get()).toBe(0);
  }, 60_000);
});
