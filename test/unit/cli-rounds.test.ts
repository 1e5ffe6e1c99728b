// The command line of test rounds, run as a real process on a real file (under test:pg, on the PostgreSQL database;
// tests outside the project read these JSON shapes): `rounds create` → {"id","due"}, `import tests FILE --round N`,
// `rounds coverage` → {"due","tested","untested","positive","byCompound":[{compound,due,tested,untested,positive}]};
// usage errors exit 2.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { makeEnv, tempDir } from '../helpers/env.ts';
import { cliDbArg } from '../helpers/pg-db.ts';
import { csvText, listFile, listRequest } from '../helpers/lists.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { runImport } from '../../electron/excel/import/run.ts';
import { createResident } from '../../electron/domain/residents.ts';
import type { ImportSummary } from '../../electron/excel/import/commit.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dir = tempDir('idesk-cli-rounds-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const ID = (seq: number) => makeIdNumber('131003', '1975-05-05', seq);

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'electron/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout.trim()) as Record<string, unknown> };
}

describe('CLI: rounds create / import tests --round / rounds coverage', () => {
  it('prints the documented JSON shapes and counts what was imported', async () => {
    const file = path.join(dir, 'rounds.db');
    const e = await makeEnv({ file });
    // The command line works on the environment's database while it is open (under test:pg it is dropped on close).
    const db = cliDbArg(e.handle, file);
    // Two isolated people (a list) and two residents who are not isolated, one of them with a passport.
    const list = await listFile(dir, 'people.xlsx', {
      rows: [
        ['姓名', '身份证号', '联系电话', '社区', '小区', '楼号', '单元', '房号', '隔离开始日期'],
        ['隔一', ID(1), '13900000001', '西大街社区', '金桥小区', 1, 1, 101, '2022-01-12'],
        ['隔二', ID(2), '13900000002', '西大街社区', '金桥小区', 2, 1, 101, '2022-01-12'],
      ],
    });
    expect(((await runImport(e.ctx(), listRequest(list))) as ImportSummary).imported).toBe(2);
    const address = (building: string, room: string) => ({ communityId: e.communities.a, compound: '银河小区', building, unit: '1', room });
    await createResident(e.ctx(), { name: 'KIM MINSU', docType: '护照', docNumber: 'M12345678', phone: '13900000003', category: '其他', address: address('1', '101') });
    await createResident(e.ctx(), { name: '住户四', docType: '居民身份证', docNumber: ID(4), phone: '13900000004', category: '其他', address: address('1', '102') });
    await createResident(e.ctx(), { name: '别社区', docType: '居民身份证', docNumber: ID(5), phone: '13900000005', category: '其他', address: { ...address('1', '101'), communityId: e.communities.b } });
    onTestFinished(() => e.close());

    const created = cli('rounds', 'create', '--db', db, '--date', '2022-01-19', '--community', '西大街社区', '--json');
    expect(created.code, created.stderr).toBe(0);
    const round = created.json();
    expect(Object.keys(round).sort()).toEqual(['due', 'id']);
    expect(round).toEqual({ id: expect.any(Number), due: 4 });

    const results = await listFile(
      dir,
      'results.csv',
      csvText([
        ['姓名', '证件号码', '采样时间', '试管号', '结果'],
        ['隔一', ID(1), '2022-01-19 08:00', 'A1', '阴性'],
        ['KIM MINSU', 'M12345678', '2022-01-19 08:01', 'A1', '阴性'],
        ['隔二', ID(2), '2022-01-19 08:02', 'A2', '阳性'],
        ['别社区', ID(5), '2022-01-19 08:03', 'A3', '阴性'],
        ['无此人', ID(9), '2022-01-19 08:04', 'A3', '阴性'],
      ]),
    );
    const imported = cli('import', 'tests', results, '--db', db, '--round', String(round.id), '--json');
    expect(imported.code, imported.stderr).toBe(0);
    const s = imported.json();
    expect(s).toMatchObject({ ok: true, status: 'written', recorded: 3, alerts: 1, retest: 0, roundId: round.id });
    expect((s.unmatched as { code: string; value: string }[]).map((u) => [u.value, u.code])).toEqual([
      ['别社区', 'out-of-round'],
      ['无此人', 'not-found'],
    ]);

    const coverage = cli('rounds', 'coverage', '--db', db, '--round', String(round.id), '--json');
    expect(coverage.code, coverage.stderr).toBe(0);
    const c = coverage.json();
    expect(c).toEqual({
      due: 4,
      tested: 3,
      untested: 1,
      positive: 1,
      byCompound: [
        { compound: '金桥小区', due: 2, tested: 2, untested: 0, positive: 1 },
        { compound: '银河小区', due: 2, tested: 1, untested: 1, positive: 0 },
      ],
    });

    const text = cli('rounds', 'coverage', '--db', db, '--round', String(round.id));
    expect(text.stdout).toMatch(/应检 4，已检 3，未检 1，阳性 1/);
    expect(cli('rounds', 'create', '--db', db, '--date', '2022/1/19', '--json').code).toBe(2);
    expect(cli('import', 'residents', results, '--db', db, '--round', '1', '--json').code).toBe(2);
    const noRound = cli('rounds', 'coverage', '--db', db, '--round', '999', '--json');
    expect(noRound.code).not.toBe(0);
    expect(JSON.stringify(noRound.json())).toMatch(/核酸轮次/);
  }, 180_000);
});
