// Test-result lists (核酸/抗原 from the testing site): header synonyms, matching by ID number to people in a running
// episode (unmatched rows listed, never created), a positive result opening an alert at once, modes, and the CLI.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, tempDir, type TestEnv } from '../helpers/env.ts';
import { dumpContent, listFile, listRequest, wrongCheck, type SheetSpec } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { previewImport, runImport, type TestPreview } from '../../electron/excel/import/run.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';
import type { TestImportSummary } from '../../electron/excel/import/tests.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let dir: string;
let env: TestEnv;
let n = 0;
beforeAll(() => {
  dir = tempDir('idesk-import-tests-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeEach(async () => {
  env = await makeEnv();
});
afterEach(async () => env.close());

const ID = (seq: number) => makeIdNumber('131003', '1988-08-18', seq);
const file = (spec: SheetSpec) => listFile(dir, `tests-${++n}.xlsx`, spec);

/** Three people isolating since 2022-01-12 and one whose isolation ended. */
async function seedPeople(e: TestEnv = env) {
  const f = await file({
    rows: [
      ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'],
      ['检一', ID(1), '13900000001', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'],
      ['检二', ID(2), '13900000002', '西大街社区', '金桥小区', 1, 1, 102, '2022-01-12'],
      ['检三', ID(3), '13900000003', '华夏里社区', '芳菲苑', 2, 1, 201, '2022-01-12'],
    ],
  });
  const s = (await runImport(e.ctx(), listRequest(f))) as ImportSummary;
  expect(s.imported).toBe(3);
}
const testsReq = (f: string, extra: Record<string, unknown> = {}) => listRequest(f, { kind: 'tests', ...extra });

describe('test-result lists', () => {
  it('synonyms of the header, 核酸/抗原 and 阴性/阳性; matched by ID number; a positive opens an alert at once', async () => {
    await seedPeople();
    const spec: SheetSpec = {
      titles: ['解放道街道第3轮核酸检测结果'],
      rows: [
        ['序号', '姓名', '公民身份号码', '采样时间', '检测方式', '结果'],
        [1, '检一', ID(1), '2022-01-19 08:30', '核酸', '阴性'],
        [2, '检二', ID(2), new Date(Date.UTC(2022, 0, 19)), '抗原', '阳性'],
        [3, '检三', ID(3).toLowerCase(), '2022年1月18日', '核酸检测', '阴'],
      ],
    };
    const p = (await previewImport(env.ctx(), testsReq(await file(spec)))) as TestPreview;
    expect(p.kind).toBe('tests');
    expect(p.headerRow).toBe(2);
    expect(p.mapping.map((m) => m.field)).toEqual(['seq', 'name', 'docNumber', 'sampleDate', 'testType', 'result']);
    expect(p.counts).toMatchObject({ dataRows: 3, valid: 3, matched: 3, unmatched: 0, positives: 1 });
    expect(await env.handle.db.selectFrom('tests').select('id').execute()).toEqual([]);

    const s = (await runImport(env.ctx(), testsReq(await file(spec)))) as TestImportSummary;
    expect(s).toMatchObject({ status: 'written', recorded: 3, alerts: 1, unmatched: [] });
    const tests = await env.handle.db
      .selectFrom('tests as t')
      .innerJoin('residents as r', 'r.id', 't.residentId')
      .select(['r.name', 't.sampleDate', 't.testType', 't.result', 't.source', 't.importBatchId'])
      .orderBy('r.name')
      .execute();
    expect(tests).toEqual([
      { name: '检一', sampleDate: '2022-01-19', testType: '核酸', result: '阴性', source: 'import', importBatchId: s.batchId },
      { name: '检三', sampleDate: '2022-01-18', testType: '核酸', result: '阴性', source: 'import', importBatchId: s.batchId },
      { name: '检二', sampleDate: '2022-01-19', testType: '抗原', result: '阳性', source: 'import', importBatchId: s.batchId },
    ]);
    const alerts = await env.handle.db.selectFrom('alerts as a').innerJoin('residents as r', 'r.id', 'a.residentId').select(['r.name', 'a.status', 'a.reason']).execute();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ name: '检二', status: 'open' });
    expect(alerts[0].reason).toMatch(/阳性/);
    // The same list again: already recorded, skipped; no second alert.
    const again = (await runImport(env.ctx(), testsReq(await file(spec)))) as TestImportSummary;
    expect(again).toMatchObject({ recorded: 0, skipped: 3, alerts: 0 });
    expect(await env.handle.db.selectFrom('alerts').select('id').execute()).toHaveLength(1);
  });

  it('other synonyms (采样日期, 检测结果, 身份证号码) and no type column: 核酸 assumed, said as a warning', async () => {
    await seedPeople();
    const s = (await runImport(env.ctx(), testsReq(await file({ rows: [['姓名', '身份证号码', '采样日期', '检测结果'], ['检一', ID(1), '2022/1/19', '阴性']] })))) as TestImportSummary;
    expect(s).toMatchObject({ status: 'written', recorded: 1 });
    expect(s.warnings.map((w) => w.code)).toContain('test-type-default');
  });

  it('people not isolating are listed as unmatched and never created', async () => {
    await seedPeople();
    const s = (await runImport(
      env.ctx(),
      testsReq(
        await file({
          rows: [
            ['姓名', '身份证号', '采样日期', '检测类型', '检测结果'],
            ['检一', ID(1), '2022-01-19', '核酸', '阴性'],
            ['路人', ID(9), '2022-01-19', '核酸', '阳性'],
            ['检二', ID(2), '2022-01-05', '核酸', '阴性'],
          ],
        }),
      ),
    )) as TestImportSummary;
    expect(s).toMatchObject({ status: 'written', recorded: 1, alerts: 0 });
    expect(s.unmatched.map((u) => [u.row, u.code])).toEqual([
      [3, 'not-isolating'],
      [4, 'before-episode'],
    ]);
    expect(s.unmatched[0].reason).toMatch(/路人 不在系统的在管隔离\/监测人员中/);
    expect(await env.handle.db.selectFrom('residents').select('id').where('docNumber', '=', ID(9)).execute()).toEqual([]);
    expect(await env.handle.db.selectFrom('alerts').select('id').execute()).toEqual([]);
  });

  it('rejections as for resident lists; all-or-nothing writes nothing, valid-only writes the good rows', async () => {
    await seedPeople();
    const spec: SheetSpec = {
      rows: [
        ['姓名', '身份证号', '采样日期', '检测类型', '检测结果'],
        ['检一', ID(1), '2022-01-19', '核酸', '阳性'],
        ['检二', wrongCheck(ID(2)), '2022-01-19', '核酸', '阴性'],
        ['检三', ID(3), '2022-01-22', '核酸', '阴性'],
        ['检三', ID(3), '2022-01-19', '核酸', '弱阳'],
        ['检三', ID(3), '2022-01-19', 'CT', '阴性'],
        ['检三', ID(3), '昨天', '核酸', '阴性'],
        ['检一', ID(1), '2022-01-19', '核酸', '阳性'],
      ],
    };
    const before = dumpContent(env.handle.sqlite);
    const rejected = (await runImport(env.ctx(), testsReq(await file(spec)))) as TestImportSummary;
    expect(rejected.status).toBe('rejected');
    expect(rejected.errors.map((e) => [e.row, e.code, e.column])).toEqual([
      [3, 'id-checksum', '身份证号'],
      [4, 'sample-date-future', '采样日期'],
      [5, 'result-unknown', '检测结果'],
      [6, 'test-type-unknown', '检测类型'],
      [7, 'sample-date-unreadable', '采样日期'],
      [8, 'test-duplicate-in-file', '身份证号'],
    ]);
    for (const e of rejected.errors) expect(e.reason).toMatch(/[\u4e00-\u9fff]/);
    expect(dumpContent(env.handle.sqlite)).toEqual(before);
    const valid = (await runImport(env.ctx(), testsReq(await file(spec), { mode: 'valid-only' }))) as TestImportSummary;
    expect(valid).toMatchObject({ status: 'written', recorded: 1, alerts: 1 });
  });
});

describe('CLI: import tests', () => {
  function cli(...args: string[]) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it('records the results with --json (exit 0), rejects a bad list (exit 1, nothing written), refuses a non-list (exit 2)', async () => {
    const db = path.join(dir, `cli-tests-${++n}.db`);
    const e = await makeEnv({ file: db });
    await seedPeople(e);
    await e.close();
    const good = await file({ rows: [['姓名', '身份证号', '采样日期', '检测结果'], ['检一', ID(1), '2022-01-19', '阳性'], ['路人', ID(9), '2022-01-19', '阴性']] });
    const ok = cli('import', 'tests', good, '--db', db, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    const out = JSON.parse(ok.stdout.trim());
    expect(out).toMatchObject({ ok: true, status: 'written', recorded: 1, alerts: 1 });
    expect(out.unmatched).toHaveLength(1);
    const bad = await file({ rows: [['姓名', '身份证号', '采样日期', '检测结果'], ['检二', ID(2), '2022-01-19', '阴性'], ['检三', ID(3), '2022-01-19', '不知道']] });
    const rej = cli('import', 'tests', bad, '--db', db, '--json');
    expect(rej.code).toBe(1);
    expect(JSON.parse(rej.stdout.trim())).toMatchObject({ ok: false, status: 'rejected', recorded: 0 });
    const notList = path.join(dir, 'not-a-list.xlsx');
    fs.writeFileSync(notList, 'hello');
    expect(cli('import', 'tests', notList, '--db', db, '--json').code).toBe(2);
    const sqlite = new SqliteDatabase(db, { readonly: true });
    try {
      expect(sqlite.prepare('SELECT count(*) AS n FROM tests').get()).toEqual({ n: 1 });
      expect(sqlite.prepare('SELECT count(*) AS n FROM alerts').get()).toEqual({ n: 1 });
    } finally {
      sqlite.close();
    }
  }, 120_000);
});
