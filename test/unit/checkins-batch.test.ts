// Whole-building entry (整栋正常，除了…) through the API on a real migrated database: the exceptions first, then one
// action records 正常 for everyone in the building or unit who is due and unrecorded; people recorded meanwhile are
// untouched; one audit record with the ids; undo within the slot by its author or a clerk (corrected ones kept);
// refused by the temperature policy, after the cutoff, and across communities.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeEnv, type TestEnv } from '../helpers/env.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import type { BatchPreview, BatchResult, BatchUndoResult, CheckinBatchRow } from '../../electron/domain/checkins-batch.ts';
import type { CheckinResult } from '../../electron/domain/checkins.ts';

let t: TestEnv;
/** t.call with the answer's type (the helper's own signature is loose). */
const call = <T,>(channel: string, input: unknown, key: string): Promise<T> => (t.call as unknown as (c: string, i: unknown, k: string) => Promise<T>)(channel, input, key);
let clerk: string;
let committee1: string;
const DAY = '2022-01-20';

beforeEach(async () => {
  t = await makeEnv(); // 09:00 in Shanghai: before the morning cutoff (10:00)
  clerk = await t.login('clerk');
  committee1 = await t.login('committee1');
});
afterEach(async () => t.close());

let seq = 0;
async function person(name: string, building: string, unit: string, room: string): Promise<number> {
  const r = await call<{ id: number }>(
    'residents.create',
    { name, docType: '居民身份证', docNumber: makeIdNumber('131002', '1980-01-01', 100 + ++seq), category: '密接', address: { communityId: t.communities.a, compound: '金桥小区', building, unit, room }, startEpisode: '2022-01-15' },
    clerk,
  );
  return r.id;
}

const placeOf = (residentId: number, level: 'building' | 'unit') =>
  t.handle.sqlite
    .prepare(`SELECT ${level === 'unit' ? 'u.id' : 'u.parent_id'} FROM residents r JOIN households h ON h.id = r.household_id JOIN places rm ON rm.id = h.room_id JOIN places u ON u.id = rm.parent_id WHERE r.id = ?`)
    .pluck()
    .get(residentId) as number;

async function building() {
  const a = await person('甲一', '3', '1', '101');
  const b = await person('乙二', '3', '1', '102');
  const c = await person('丙三', '3', '2', '201');
  const d = await person('丁四', '3', '2', '202');
  const other = await person('戊五', '4', '1', '101');
  return { a, b, c, d, other, building: placeOf(a, 'building'), unit2: placeOf(c, 'unit') };
}

const auditRows = (action: string) => t.handle.sqlite.prepare('SELECT entity_id AS id, user_name AS user, details FROM audit_log WHERE action = ? ORDER BY id').all(action) as { id: number; user: string; details: string }[];

describe('whole-building entry', () => {
  it('records 正常 for the confirmed people still unrecorded; the exception and a check-in made meanwhile stay as they were', async () => {
    const p = await building();
    const fever = await call<CheckinResult>('checkins.record', { residentId: p.a, date: DAY, slot: 'am', temperature: 37.9 }, committee1);
    expect(fever.checkin.abnormal).toBe(true);

    const preview = await call<BatchPreview>('checkins.batchPreview', { slot: 'am', placeId: p.building }, committee1);
    expect(preview).toMatchObject({ date: DAY, slot: 'am', place: '金桥小区3号楼', alreadyRecorded: 1, refused: false });
    expect(preview.people.map((x) => x.residentId).sort()).toEqual([p.b, p.c, p.d].sort());

    // Someone records 乙二 with a reading after the preview was shown.
    await t.call('checkins.record', { residentId: p.b, date: DAY, slot: 'am', temperature: 36.4 }, clerk);
    const r = await call<BatchResult>('checkins.recordBatch', { date: DAY, slot: 'am', placeId: p.building, residentIds: preview.people.map((x) => x.residentId) }, committee1);
    expect(r).toMatchObject({ recorded: 2, skipped: 1 });

    const rows = t.handle.sqlite.prepare("SELECT resident_id AS id, temperature, notes, batch_id AS batch, recorded_by AS by FROM checkins WHERE date = ? AND slot = 'am' ORDER BY resident_id").all(DAY) as Record<string, unknown>[];
    expect(rows).toEqual([
      { id: p.a, temperature: 37.9, notes: null, batch: null, by: '西大街李主任' },
      { id: p.b, temperature: 36.4, notes: null, batch: null, by: '街道王科员' },
      { id: p.c, temperature: null, notes: '整栋（单元）确认正常', batch: r.batchId, by: '西大街李主任' },
      { id: p.d, temperature: null, notes: '整栋（单元）确认正常', batch: r.batchId, by: '西大街李主任' },
    ]);
    // The other building is not touched; the counters follow.
    expect(rows.some((x) => x.id === p.other)).toBe(false);
    const counts = await call<unknown>('checkins.counts', { date: DAY, slot: 'am' }, committee1);
    expect(counts).toMatchObject({ due: 5, done: 4 });

    const audit = auditRows('checkin.batch');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ id: r.batchId, user: 'committee1' });
    expect(JSON.parse(audit[0].details)).toMatchObject({ count: 2, residentIds: [p.c, p.d], skipped: 1, place: '金桥小区3号楼' });
    expect(auditRows('checkin.record')).toHaveLength(2); // the two single entries only

    // A second batch for the same building has nobody left to record.
    const again = await call<BatchPreview>('checkins.batchPreview', { slot: 'am', placeId: p.building }, committee1);
    expect(again.people).toEqual([]);
    expect(again.alreadyRecorded).toBe(4);
  });

  it('a unit is a scope of its own; people not confirmed in the preview are not recorded', async () => {
    const p = await building();
    const preview = await call<BatchPreview>('checkins.batchPreview', { slot: 'pm', placeId: p.unit2 }, committee1);
    expect(preview.place).toBe('金桥小区3号楼2单元');
    expect(preview.people.map((x) => x.name)).toEqual(['丙三', '丁四']);
    const r = await call<BatchResult>('checkins.recordBatch', { date: DAY, slot: 'pm', placeId: p.unit2, residentIds: [p.c, p.a] }, committee1);
    expect(r).toMatchObject({ recorded: 1, skipped: 1 });
    expect(t.handle.sqlite.prepare("SELECT resident_id FROM checkins WHERE slot = 'pm'").pluck().all()).toEqual([p.c]);
  });

  it('undo: by its author or a clerk, within the slot; corrected check-ins are kept; once only', async () => {
    const p = await building();
    const preview = await call<BatchPreview>('checkins.batchPreview', { slot: 'am', placeId: p.building }, committee1);
    const r = await call<BatchResult>('checkins.recordBatch', { date: DAY, slot: 'am', placeId: p.building, residentIds: preview.people.map((x) => x.residentId) }, committee1);
    expect(r.recorded).toBe(4);
    // 丙三 turned out to have a fever: corrected on the batch's record.
    const k = t.handle.sqlite.prepare("SELECT id, version FROM checkins WHERE resident_id = ? AND slot = 'am'").get(p.c) as { id: number; version: number };
    await t.call('checkins.correct', { id: k.id, version: k.version, temperature: 38.1 }, committee1);

    const official = await t.login('official');
    expect(await t.dispatch('checkins.undoBatch', { batchId: r.batchId }, official)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const committee2 = await t.login('committee2');
    expect(await t.dispatch('checkins.undoBatch', { batchId: r.batchId }, committee2)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    const undone = await call<BatchUndoResult>('checkins.undoBatch', { batchId: r.batchId }, clerk);
    expect(undone).toEqual({ batchId: r.batchId, removed: 3, kept: 1 });
    expect(t.handle.sqlite.prepare("SELECT resident_id AS id, temperature, batch_id AS batch FROM checkins WHERE slot = 'am'").all()).toEqual([{ id: p.c, temperature: 38.1, batch: null }]);
    expect(await call<unknown>('checkins.counts', { date: DAY, slot: 'am' }, committee1)).toMatchObject({ due: 5, done: 1 });
    expect(await t.dispatch('checkins.undoBatch', { batchId: r.batchId }, committee1)).toMatchObject({ ok: false, error: { code: 'VALIDATION', message: '这次整栋登记已由街道王科员撤销' } });
    expect(auditRows('checkin.batch_undo')).toHaveLength(1);
    const list = await call<CheckinBatchRow[]>('checkins.batches', { slot: 'am' }, committee1);
    expect(list).toMatchObject([{ id: r.batchId, count: 4, standing: 0, undoneBy: '街道王科员', place: '金桥小区3号楼' }]);
  });

  it('another committee member of the same community cannot undo it; after the cutoff nobody can', async () => {
    const p = await building();
    await t.call('users.create', { username: 'committee1b', displayName: '西大街孙委员', role: 'committee', communityId: t.communities.a, password: 'demo12345' }, await t.login('admin'));
    const other = await t.login('committee1b', 'demo12345');
    const preview = await call<BatchPreview>('checkins.batchPreview', { slot: 'am', placeId: p.building }, committee1);
    const r = await call<BatchResult>('checkins.recordBatch', { date: DAY, slot: 'am', placeId: p.building, residentIds: preview.people.map((x) => x.residentId) }, committee1);
    expect(await t.dispatch('checkins.undoBatch', { batchId: r.batchId }, other)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', key: 'checkins.batchUndoWho' } });
    t.clock.set('2022-01-20T02:01:00.000Z'); // 10:01, past the morning cutoff (a new login: the old session idled out)
    const late = await t.dispatch('checkins.undoBatch', { batchId: r.batchId }, await t.login('committee1'));
    expect(late).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'checkins.batchUndoLate' } });
    expect(late.ok ? '' : late.error.message).toContain('已过截止时间 10:00');
    expect(t.handle.sqlite.prepare('SELECT COUNT(*) FROM checkins WHERE batch_id = ?').pluck().get(r.batchId)).toBe(4);
  });

  it('the temperature policy refuses the batch and single entries without a reading; nothing is written', async () => {
    const p = await building();
    await t.call('settings.update', { requireTemperature: true }, await t.login('admin'));
    const preview = await call<BatchPreview>('checkins.batchPreview', { slot: 'am', placeId: p.building }, committee1);
    expect(preview.refused).toBe(true);
    const r = await t.dispatch('checkins.recordBatch', { date: DAY, slot: 'am', placeId: p.building, residentIds: preview.people.map((x) => x.residentId) }, committee1);
    expect(r).toMatchObject({ ok: false, error: { code: 'BLOCKED', key: 'checkins.batchNeedsTemperature' } });
    expect(r.ok ? '' : r.error.message).toMatch(/每条健康监测都须填写体温/);
    const single = await t.dispatch('checkins.record', { residentId: p.a, date: DAY, slot: 'am', symptoms: [], notes: '电话确认无异常' }, committee1);
    expect(single).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'checkins.temperaturePolicy' } });
    expect(t.handle.sqlite.prepare('SELECT COUNT(*) FROM checkins').pluck().get()).toBe(0);
    expect(t.handle.sqlite.prepare('SELECT COUNT(*) FROM checkin_batches').pluck().get()).toBe(0);
  });

  it("a committee member cannot preview or record another community's building; a room is not a scope", async () => {
    const p = await building();
    const committee2 = await t.login('committee2');
    expect(await t.dispatch('checkins.batchPreview', { slot: 'am', placeId: p.building }, committee2)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await t.dispatch('checkins.recordBatch', { date: DAY, slot: 'am', placeId: p.building, residentIds: [p.a] }, committee2)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const room = t.handle.sqlite.prepare('SELECT h.room_id FROM residents r JOIN households h ON h.id = r.household_id WHERE r.id = ?').pluck().get(p.a) as number;
    expect(await t.dispatch('checkins.batchPreview', { slot: 'am', placeId: room }, committee1)).toMatchObject({ ok: false, error: { code: 'VALIDATION', key: 'checkins.batchPlace' } });
    expect(t.handle.sqlite.prepare('SELECT COUNT(*) FROM checkins').pluck().get()).toBe(0);
  });
});
