// The command line's import dispatches over the import and job channels only (api/import-slice.ts, through
// dispatch-core.ts): a call there answers exactly as through the whole API — the same session, role and input
// checks, the same refusals — and a channel outside the slice is unknown there, never run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { xlsxBuffer, STANDARD_HEADER, standardRows, people } from '../helpers/lists.ts';
import { dispatchIn } from '../../electron/api/dispatch-core.ts';
import { importSlice } from '../../electron/api/import-slice.ts';

let env: TestEnv;
beforeEach(async () => {
  env = await makeEnv();
});
afterEach(async () => env.close());

const slice = (channel: string, input: unknown, key: string) => dispatchIn(importSlice, env.env, channel, input, key);

describe('dispatch over the import slice', () => {
  it('answers like the whole API: the upload and its checks by role, session and input', async () => {
    const clerk = await env.login('clerk');
    const official = await env.login('official');
    const data = (await xlsxBuffer({ rows: [STANDARD_HEADER, ...standardRows(people(3, undefined, '2022-01-18'))] })).toString('base64');
    const up = await slice('import.upload', { fileName: '名单.xlsx', dataBase64: data }, clerk);
    expect(up).toMatchObject({ ok: true, data: { fileName: '名单.xlsx' } });
    const cases: [string, unknown, string][] = [
      ['import.upload', { fileName: '名单.xlsx', dataBase64: data }, official],
      ['import.upload', { fileName: '名单.xlsx', dataBase64: data }, 'no-such-session'],
      ['import.upload', { fileName: '名单.xlsx' }, clerk],
      ['jobs.status', { jobId: 'not-a-uuid' }, clerk],
    ];
    for (const [channel, input, key] of cases) {
      const viaSlice = await slice(channel, input, key);
      expect(viaSlice.ok).toBe(false);
      expect(viaSlice).toEqual(await env.dispatch(channel, input, key));
    }
    expect(await slice('import.upload', { fileName: '名单.xlsx', dataBase64: data }, official)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    if (up.ok) await slice('import.cancel', { fileId: (up.data as { fileId: string }).fileId }, clerk);
  });

  it('a channel of another area is unknown there and nothing runs', async () => {
    const admin = await env.login('admin');
    const before = await env.handle.db.selectFrom('places').select('id').execute();
    const r = await slice('places.create', { level: 'community', name: '新社区' }, admin);
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await env.dispatch('residents.list', {}, admin)).ok).toBe(true);
    expect((await slice('residents.list', {}, admin)).ok).toBe(false);
    expect(await env.handle.db.selectFrom('places').select('id').execute()).toEqual(before);
  });
});
