// Masking at the API: on a seed-demo database, every channel of the contract is either called (for each demo role)
// and its output — JSON, or the Excel file it writes — searched for what a masked user must never see: the 8 hidden
// birth-date digits of every ID number (19850312 and 1985-03-12), every birth date, every full phone of residents and
// cadres; or it is listed below with the reason it is not a read. A channel added to the contract later fails here
// until it is classified. The reveals themselves (residents.reveal, cadres.reveal) are the only way to the full
// values: they need the permission, stay in scope, and write an audit row.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';
import { openDatabase, type DbHandle } from '../../electron/db/open.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR, ROLE_PERMISSIONS, type Permission } from '../../electron/domain/actor.ts';
import type { Role } from '../../electron/db/schema.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';
import { SessionStore } from '../../electron/api/sessions.ts';
import type { ApiEnv } from '../../electron/api/env.ts';
import { call, dispatch } from '../../electron/api/dispatch.ts';
import { contract } from '../../electron/api/contract.ts';
import { getJob } from '../../electron/jobs/runner.ts';
import { writePurgeArchive } from '../../electron/excel/export/purge-archive.ts';
import { everything, readBack } from './export-fixture.ts';
import { tempDir } from '../helpers/env.ts';

const TODAY = '2022-01-20';
const dir = tempDir('idesk-mask-');
const file = path.join(dir, 'demo.db');
let handle: DbHandle;
let env: ApiEnv;
const keys: Record<string, string> = {};
const USERS = ['admin', 'clerk', 'committee1', 'official', 'cadre1'] as const;

/** What must not appear: label → the strings that would give it away. */
let secrets: Map<string, string>;
/** Known records to call the per-record channels with. */
let ids: { round: number; created: number; infant: number; passport: number; seeded: number; household: number; supply: number; cadre: number; episode: number; community: number; building: number; compound: number };

const one = <T>(sql: string, ...p: unknown[]) => handle.sqlite.prepare(sql).pluck().get(...p) as T;

function leaksIn(text: string): string[] {
  const out: string[] = [];
  for (const [s, label] of secrets) if (text.includes(s)) out.push(`${label}: ${s}`);
  return out;
}

async function finished(jobId: string) {
  for (let i = 0; i < 600; i++) {
    const j = getJob(jobId);
    if (j && j.state !== 'running') return j as { state: string; result?: { path: string }; error?: unknown };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('job did not finish');
}

async function fileLeaks(f: string): Promise<string[]> {
  return leaksIn(everything(await readBack(f)));
}

type Probe = { input: unknown } | { inputs: () => unknown[] } | { file: (user: string) => Promise<string[]> } | { skip: string };

const WRITE = 'a write: answers with ids, versions and warnings about what the caller typed';

/** Every channel of the contract: how it is read here, or why it is not a read. */
const PROBES: Record<string, Probe> = {
  'auth.setupStatus': { input: {} },
  'auth.setupAdmin': { skip: 'first run only (refused once an admin exists)' },
  'auth.login': { skip: 'answers auth.me (probed)' },
  'auth.logout': { skip: 'ends the session' },
  'auth.me': { input: {} },
  'auth.changePassword': { skip: WRITE },
  'users.list': { input: {} },
  'users.create': { skip: WRITE },
  'users.update': { skip: WRITE },
  'users.resetPassword': { skip: WRITE },
  'settings.get': { input: {} },
  'settings.update': { skip: WRITE },
  'places.communities': { input: {} },
  'places.createCommunity': { skip: WRITE },
  'places.rename': { skip: WRITE },
  'places.buildings': { inputs: () => [{ compoundId: ids.compound }] },
  'residents.list': { inputs: () => [{ status: 'all', limit: 1000 }, { status: 'all', search: '131', limit: 1000 }, { householdId: ids.household, status: 'all' }, { buildingId: ids.building, status: 'all' }] },
  'residents.get': { inputs: () => [ids.created, ids.infant, ids.passport, ids.seeded].map((id) => ({ id })) },
  'residents.create': { skip: WRITE },
  'residents.update': { skip: WRITE },
  'residents.reveal': { skip: 'the audited reveal itself (tested below)' },
  'episodes.start': { skip: WRITE },
  'episodes.extend': { skip: WRITE },
  'episodes.releaseCheck': { inputs: () => [{ episodeId: ids.episode }] },
  'episodes.release': { skip: WRITE },
  'episodes.batchRelease': { skip: WRITE },
  'episodes.end': { skip: WRITE },
  'episodes.applyPolicy': { skip: WRITE },
  'audit.list': { inputs: () => [{ limit: 1000 }, { residentId: ids.created }, { action: 'resident.' }] },
  'audit.chainStatus': { inputs: () => [{}] },
  'audit.verifyChain': { inputs: () => [{}] },
  'audit.export': {
    file: async (user) => {
      const r = await call(env, 'audit.export', {}, keys[user]);
      return fileLeaks(r.file);
    },
  },
  'backups.list': { input: {} },
  'backups.create': { skip: WRITE },
  'stats.counts': { input: {} },
  'backups.restore': { skip: WRITE },
  'backups.undoRestore': { skip: WRITE },
  'purge.preview': { input: {} },
  'purge.run': { skip: 'deletes people; its archive (清理前导出) is written by writePurgeArchive, probed below' },
  'reports.export': {
    file: async (user) => {
      const out: string[] = [];
      // Masking does not depend on the role; the scope does: the whole subdistrict (clerk) and one community suffice.
      if (user !== 'clerk' && user !== 'committee1') return out;
      for (const report of ['daily-report', 'roster', 'checkins', 'supplies', 'cadres', 'cadre-work'] as const) {
        const { jobId } = await call(env, 'reports.export', { report, date: TODAY, from: '2022-01-10', to: TODAY }, keys[user]);
        const job = await finished(jobId);
        expect(job.state, `${report} for ${user}`).toBe('succeeded');
        out.push(...(await fileLeaks(job.result!.path)).map((l) => `${report}: ${l}`));
        // What the browser gets: the same file through reports.download (and the job's status).
        const dl = await call(env, 'reports.download', { path: path.basename(job.result!.path) }, keys[user]);
        const copy = path.join(dir, `dl-${user}-${report}.xlsx`);
        fs.writeFileSync(copy, Buffer.from(dl.dataBase64, 'base64'));
        out.push(...(await fileLeaks(copy)).map((l) => `${report} (download): ${l}`));
        out.push(...leaksIn(JSON.stringify(await call(env, 'jobs.status', { jobId }, keys[user]))).map((l) => `jobs.status: ${l}`));
      }
      return out;
    },
  },
  'reports.download': { skip: 'probed with reports.export' },
  // Notices carry full names and addresses by purpose (delivered to the household), never ID numbers or phones.
  'notices.export': {
    file: async (user) => {
      if (user !== 'clerk' && user !== 'committee1') return [];
      const { jobId } = await call(env, 'notices.export', { kind: 'isolation', placeId: ids.compound }, keys[user]);
      const job = await finished(jobId);
      expect(job.state, `notices for ${user}`).toBe('succeeded');
      const { default: PizZip } = await import('pizzip');
      const docx = new PizZip(fs.readFileSync(job.result!.path));
      return leaksIn(Object.values(docx.files).map((f) => f.asText()).join('\n'));
    },
  },
  'notices.doorSheet': {
    file: async (user) => {
      if (user !== 'clerk' && user !== 'committee1') return [];
      const { jobId } = await call(env, 'notices.doorSheet', { buildingId: ids.building }, keys[user]);
      const job = await finished(jobId);
      expect(job.state, `door sheet for ${user}`).toBe('succeeded');
      return fileLeaks(job.result!.path);
    },
  },
  'notices.buildings': { inputs: () => [{ compoundId: ids.compound }] },
  'notices.templates': { input: {} },
  'notices.uploadTemplate': { skip: WRITE },
  'notices.resetTemplate': { skip: WRITE },
  'notices.downloadTemplate': { input: { kind: 'isolation' } },
  'reports.showInFolder': { skip: 'desktop only; opens the file manager' },
  'supplies.create': { skip: WRITE },
  'supplies.assign': { skip: WRITE },
  'supplies.startDelivery': { skip: WRITE },
  'supplies.deliver': { skip: WRITE },
  'supplies.cancel': { skip: WRITE },
  'supplies.setPayment': { skip: WRITE },
  'supplies.list': { inputs: () => [{ status: 'all', limit: 1000 }] },
  'supplies.get': { inputs: () => [{ id: ids.supply }] },
  'supplies.board': { input: {} },
  'supplies.runSheet': { inputs: () => [{ date: TODAY, status: 'all' }] },
  'cadres.list': { input: {} },
  'cadres.create': { skip: WRITE },
  'cadres.update': { skip: WRITE },
  'cadres.reveal': { skip: 'the audited reveal itself (tested below)' },
  'needs.set': { skip: WRITE },
  'needs.schedules': { inputs: () => [ids.created, ids.infant, ids.seeded].map((residentId) => ({ residentId })) },
  'needs.createSchedule': { skip: WRITE },
  'needs.updateSchedule': { skip: WRITE },
  'needs.runSchedules': { skip: 'a write: creates supply requests (their views are probed: supplies.list, supplies.get)' },
  'households.search': { inputs: () => [{ search: '小区', limit: 50 }, { search: '王', limit: 50 }] },
  'checkins.record': { skip: WRITE },
  'checkins.correct': { skip: WRITE },
  'checkins.due': { inputs: () => [{ slot: 'am', limit: 200 }, { slot: 'pm', limit: 200, date: '2022-01-19' }, { slot: 'am', search: 'w', limit: 200 }] },
  'checkins.groups': { inputs: () => [{ slot: 'am' }, { slot: 'pm', date: '2022-01-19' }] },
  'checkins.counts': { inputs: () => [{}, { slot: 'pm', date: TODAY }] },
  'checkins.batchPreview': { inputs: () => [{ slot: 'am', placeId: ids.building }, { slot: 'pm', date: '2022-01-19', placeId: ids.building }] },
  'checkins.recordBatch': { skip: WRITE },
  'checkins.undoBatch': { skip: WRITE },
  'checkins.batches': { inputs: () => [{}, { slot: 'am' }] },
  'tests.record': { skip: WRITE },
  'alerts.list': { inputs: () => [{ limit: 1000 }, { status: 'closed', limit: 1000 }, { compoundId: ids.compound, limit: 1000 }] },
  'alerts.close': { skip: WRITE },
  'dashboard.get': { inputs: () => [{}, { date: '2022-01-18' }] },
  'dashboard.places': { inputs: () => [{ communityId: ids.community }, { compoundId: ids.compound }] },
  'import.upload': { skip: "the uploader's own file" },
  'import.preview': { skip: "shows the uploader's own file back to them" },
  'import.commit': { skip: WRITE },
  'import.errorReport': { skip: "the uploader's own file, rows with problems" },
  'import.batches': { inputs: () => [{ limit: 100 }] },
  'import.undo': { skip: WRITE },
  'import.cancel': { skip: WRITE },
  'jobs.status': { skip: 'probed with reports.export' },
  'jobs.cancel': { skip: 'cancels a job' },
  'devices.list': { input: {} },
  'devices.pairCodes': { skip: WRITE },
  'devices.revoke': { skip: WRITE },
  'server.status': { input: {} },
  'server.start': { skip: 'starts the office server (desktop app only)' },
  'server.stop': { skip: 'stops the office server (desktop app only)' },
  'server.database': { skip: 'the database the desktop app opens: a file path or a PostgreSQL address without its password (desktop app only, admins; server-database.test)' },
  'server.setDatabase': { skip: 'chooses that database (desktop app only, admins): no resident data in or out (server-database.test)' },
  'rounds.list': { input: {} },
  'rounds.create': { skip: WRITE },
  'rounds.close': { skip: WRITE },
  'rounds.coverage': { inputs: () => [{ roundId: ids.round }] },
  'rounds.untested': { inputs: () => [{ roundId: ids.round, buildingId: ids.building, limit: 1000 }] },
  'rounds.exemptions': { inputs: () => [{ roundId: ids.round }] },
  'rounds.exempt': { skip: WRITE },
  'rounds.unexempt': { skip: WRITE },
  'rounds.exportUntested': {
    file: async (user) => {
      const r = await call(env, 'rounds.exportUntested', { roundId: ids.round, buildingId: ids.building }, keys[user]);
      const f = path.join(dir, `untested-${user}.xlsx`);
      fs.writeFileSync(f, Buffer.from(r.dataBase64, 'base64'));
      return fileLeaks(f);
    },
  },
  'rounds.exportReport': {
    file: async (user) => {
      const r = await call(env, 'rounds.exportReport', { roundId: ids.round }, keys[user]);
      const f = path.join(dir, `round-report-${user}.xlsx`);
      fs.writeFileSync(f, Buffer.from(r.dataBase64, 'base64'));
      return fileLeaks(f);
    },
  },
  'cadreGroups.list': { input: {} },
  'cadreGroups.create': { skip: WRITE },
  'cadreGroups.update': { skip: WRITE },
  'shifts.list': { inputs: () => [{ from: '2022-01-10', to: TODAY }] },
  'shifts.create': { skip: WRITE },
  'shifts.delete': { skip: WRITE },
  'visits.list': { inputs: () => [{}, { status: 'open' }, { householdId: ids.household }] },
  'visits.plan': { skip: WRITE },
  'visits.record': { skip: WRITE },
  'visits.followUp': { skip: WRITE },
  'mine.tasks': { inputs: () => [{}, { date: '2022-01-19' }] },
  'mine.recordVisit': { skip: WRITE },
  'mine.deliver': { skip: WRITE },
};

beforeAll(async () => {
  const r = await runCli(['seed-demo', '--db', file, '--residents', '150', '--today', TODAY, '--seed', '5']);
  expect(r.result.code).toBe(0);
  handle = await openDatabase(file);
  env = { db: handle.db, clock: fixedClock(`${TODAY}T15:00:00+08:00`), sessions: new SessionStore(), dbFile: file, exportDir: path.join(dir, 'exports') };
  for (const u of USERS.filter((x) => x !== 'cadre1')) {
    keys[u] = `mask-${u}`;
    await call(env, 'auth.login', { username: u, password: 'demo1234' }, keys[u]);
  }
  const community = one<number>("SELECT id FROM places WHERE level = 'community' AND name = '西大街社区'");
  // A person registered and edited through the API (the audit log keeps the values as typed), with a phone.
  const created = await call(
    env,
    'residents.create',
    { name: '周测试', docType: '居民身份证', docNumber: makeIdNumber('131002', '1979-06-23', 517), phone: '13811112222', category: '密接', address: { communityId: community, compound: '金桥小区', building: '1', unit: '1', room: '101' }, startEpisode: '2022-01-15' },
    keys.clerk,
  );
  const v = one<number>('SELECT version FROM residents WHERE id = ?', created.id);
  await call(env, 'residents.update', { id: created.id, version: v, docNumber: makeIdNumber('131002', '1979-07-24', 517), phone: '13811113333' }, keys.clerk);
  const passport = await call(
    env,
    'residents.create',
    { name: 'SMITH JOHN', docType: '护照', docNumber: 'E12345678', birthDate: '1966-04-09', sex: 'M', category: '入境', address: { communityId: community, compound: '金桥小区', building: '1', unit: '1', room: '102' } },
    keys.clerk,
  );
  const infant = await call(
    env,
    'residents.create',
    { name: '周小宝', docType: '无证件', birthDate: '2021-03-05', sex: 'F', guardianId: created.id, category: '密接', address: { communityId: community, compound: '金桥小区', building: '1', unit: '1', room: '101' } },
    keys.clerk,
  );
  const cadre = await call(env, 'cadres.create', { name: '吴干部', homeUnit: '市住建局', phone: '13922223333', communityId: community }, keys.clerk);
  const cv = one<number>('SELECT version FROM cadres WHERE id = ?', cadre.id);
  await call(env, 'cadres.update', { id: cadre.id, version: cv, phone: '13922224444' }, keys.clerk);

  // A test round of the whole subdistrict, one person exempted (the 未检 list and exemptions show names and places).
  const round = await call(env, 'rounds.create', { startDate: '2022-01-19' }, keys.clerk);
  await call(env, 'rounds.exempt', { roundId: round.round.id, residentId: passport.id, reason: '外出' }, keys.clerk);
  ids = {
    round: round.round.id,
    created: created.id,
    passport: passport.id,
    infant: infant.id,
    seeded: one<number>("SELECT r.id FROM residents r WHERE r.doc_type = '居民身份证' AND r.community_id = ? AND EXISTS (SELECT 1 FROM supply_requests s WHERE s.household_id = r.household_id) ORDER BY r.id LIMIT 1", community),
    household: one<number>('SELECT household_id FROM residents WHERE id = ?', created.id),
    supply: one<number>('SELECT id FROM supply_requests WHERE community_id = ? ORDER BY id LIMIT 1', community),
    cadre: cadre.id,
    episode: one<number>("SELECT id FROM episodes WHERE resident_id = ? AND status = 'active'", created.id),
    compound: one<number>('SELECT h.compound_id FROM residents r JOIN households h ON h.id = r.household_id WHERE r.id = ?', created.id),
    building: one<number>('SELECT u.parent_id FROM residents r JOIN households h ON h.id = r.household_id JOIN places rm ON rm.id = h.room_id JOIN places u ON u.id = rm.parent_id WHERE r.id = ?', created.id),
    community,
  };
  expect(ids.seeded).toBeTruthy();
  // A cadre account (我的任务): the cadre above with a door visit and a delivery at the household with phones.
  await call(env, 'users.create', { username: 'cadre1', displayName: '吴干部', role: 'cadre', cadreId: cadre.id, password: 'demo1234' }, keys.admin);
  keys.cadre1 = 'mask-cadre1';
  await call(env, 'auth.login', { username: 'cadre1', password: 'demo1234' }, keys.cadre1);
  await call(env, 'visits.plan', { cadreId: cadre.id, householdIds: [ids.household], date: TODAY }, keys.clerk);
  await call(env, 'shifts.create', { cadreIds: [cadre.id], date: TODAY, startTime: '08:00', endTime: '12:00', post: 'gate', place: '金桥小区北门' }, keys.clerk);
  await call(env, 'cadreGroups.create', { name: '市住建局包联西大街社区二组', homeUnit: '市住建局', communityId: community, leaderId: cadre.id }, keys.clerk);
  const request = await call(env, 'supplies.create', { householdId: ids.household, category: '蔬菜', items: [{ name: '白菜', quantity: '2斤' }] }, keys.clerk);
  await call(env, 'supplies.assign', { id: request.id, version: request.version, cadreId: cadre.id }, keys.clerk);
  const tasks = await call(env, 'mine.tasks', {}, keys.cadre1);
  expect([tasks.visits.length, tasks.deliveries.length, tasks.shifts.length]).toEqual([1, 1, 1]);
  expect(tasks.visits[0].people.length).toBeGreaterThan(0);

  secrets = new Map();
  const add = (s: string | null, label: string) => s && secrets.set(s, label);
  // The stored values, and the ones replaced by the edits above (they live on in the audit log).
  const docs = handle.sqlite.prepare("SELECT doc_number FROM residents WHERE doc_type = '居民身份证'").pluck().all() as string[];
  docs.push(makeIdNumber('131002', '1979-06-23', 517));
  for (const d of docs) add(d.slice(6, 14), `hidden digits of ${d.slice(0, 6)}…${d.slice(-4)}`);
  const births = handle.sqlite.prepare('SELECT birth_date FROM residents WHERE birth_date IS NOT NULL').pluck().all() as string[];
  births.push('1979-06-23', '1979-07-24');
  // Birth dates within the data's own weeks (newborns) would also match event dates: those are checked as digits only.
  for (const b of births) {
    add(b.replace(/-/g, ''), `birth date ${b}`);
    if (b < '2021-12-01') add(b, `birth date ${b}`);
  }
  const phones = handle.sqlite.prepare('SELECT phone FROM residents WHERE phone IS NOT NULL UNION SELECT phone FROM cadres WHERE phone IS NOT NULL').pluck().all() as string[];
  for (const p of [...phones, '13811112222', '13922223333']) if (p.length >= 11) add(p, `full phone ${p.slice(0, 3)}…`);
  expect(secrets.size).toBeGreaterThan(300);
}, 120_000);

afterAll(async () => {
  await handle?.close();
});

describe('every channel is probed or has a reason', () => {
  it('the table names exactly the channels of the contract', () => {
    expect(Object.keys(PROBES).sort()).toEqual(Object.keys(contract).sort());
  });
});

describe.each(USERS)('what %s sees (masked by default)', (user) => {
  const probed = Object.entries(PROBES).filter(([, p]) => !('skip' in p));
  it.each(probed.map(([c]) => c))('%s leaks no hidden digit, birth date or phone', async (channel) => {
    const p = PROBES[channel];
    if ('file' in p) {
      // A channel the role may not use at all is refused before anything runs.
      if (!contractAllows(user, channel)) {
        expect(await dispatch(env, channel, {}, keys[user])).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        return;
      }
      expect(await p.file(user)).toEqual([]);
      return;
    }
    const inputs = 'input' in p ? [p.input] : 'inputs' in p ? p.inputs() : [];
    let answered = 0;
    for (const input of inputs) {
      const r = await dispatch(env, channel, input, keys[user]);
      if (!r.ok) {
        // Refused for this role (no permission, or a record of another community): nothing to leak.
        expect(['FORBIDDEN', 'NOT_FOUND'], `${channel} ${JSON.stringify(input)}: ${r.error.message}`).toContain(r.error.code);
        continue;
      }
      answered++;
      expect(leaksIn(JSON.stringify(r.data)), `${channel} ${JSON.stringify(input)}`).toEqual([]);
    }
    if (contractAllows(user, channel) && user !== 'committee1') expect(answered, `${channel} answered nothing for ${user}`).toBeGreaterThan(0);
  }, 60_000);
});

const ROLES: Record<(typeof USERS)[number], Role> = { admin: 'admin', clerk: 'clerk', committee1: 'committee', official: 'official', cadre1: 'cadre' };

function contractAllows(user: string, channel: string): boolean {
  const access = (contract as Record<string, { access: string }>)[channel].access;
  if (access === 'public' || access === 'session') return true;
  return ROLE_PERMISSIONS[ROLES[user as keyof typeof ROLES]].has(access as Permission);
}

describe('the purge archive (清理前导出)', () => {
  it('masked: no hidden digit, birth date or phone; unmasked: the full values', async () => {
    const people = handle.sqlite.prepare('SELECT id FROM residents ORDER BY id LIMIT 60').pluck().all() as number[];
    people.push(ids.created, ids.infant, ids.passport);
    const ctx = { db: handle.db, actor: CLI_ACTOR, clock: env.clock };
    const masked = path.join(dir, 'purge-masked.xlsx');
    await writePurgeArchive(ctx, people, masked, false);
    expect(await fileLeaks(masked)).toEqual([]);
    const full = path.join(dir, 'purge-full.xlsx');
    await writePurgeArchive(ctx, people, full, true);
    const text = everything(await readBack(full));
    expect(text).toContain(makeIdNumber('131002', '1979-07-24', 517));
    expect(text).toContain('1966-04-09');
  });
});

describe('the audited reveal', () => {
  const audits = (action: string) => one<number>('SELECT COUNT(*) FROM audit_log WHERE action = ?', action);

  it('residents.reveal docNumber gives the number and the birth date together, and writes one audit row', async () => {
    const before = audits('resident.reveal_document');
    const r = await call(env, 'residents.reveal', { id: ids.created, field: 'docNumber' }, keys.clerk);
    expect(r).toEqual({ value: makeIdNumber('131002', '1979-07-24', 517), birthDate: '1979-07-24' });
    expect(audits('resident.reveal_document')).toBe(before + 1);
    const row = handle.sqlite.prepare("SELECT user_name, resident_id, details FROM audit_log WHERE action = 'resident.reveal_document' ORDER BY id DESC LIMIT 1").get() as { user_name: string; resident_id: number; details: string | null };
    expect(row).toMatchObject({ user_name: 'clerk', resident_id: ids.created });
    expect(row.details).toBeNull();
  });

  it('an infant without documents: the birth date alone; a passport holder: number and birth date', async () => {
    const infant = await call(env, 'residents.reveal', { id: ids.infant, field: 'docNumber' }, keys.clerk);
    expect(infant.value).toBeNull();
    expect(infant.birthDate).toBe(one<string>('SELECT birth_date FROM residents WHERE id = ?', ids.infant));
    expect(await call(env, 'residents.reveal', { id: ids.passport, field: 'docNumber' }, keys.clerk)).toEqual({ value: 'E12345678', birthDate: '1966-04-09' });
  });

  it('a phone reveal gives the phone only', async () => {
    expect(await call(env, 'residents.reveal', { id: ids.created, field: 'phone' }, keys.clerk)).toEqual({ value: '13811113333', birthDate: null });
  });

  it('cadres.reveal gives the cadre’s phone, audited; committee members only in their community; officials never', async () => {
    const before = audits('cadre.reveal_phone');
    expect(await call(env, 'cadres.reveal', { id: ids.cadre }, keys.clerk)).toEqual({ value: '13922224444' });
    expect(await call(env, 'cadres.reveal', { id: ids.cadre }, keys.committee1)).toEqual({ value: '13922224444' });
    expect(audits('cadre.reveal_phone')).toBe(before + 2);
    const other = one<number>("SELECT k.id FROM cadres k JOIN places c ON c.id = k.community_id WHERE c.name <> '西大街社区' ORDER BY k.id LIMIT 1");
    const refused = [
      await dispatch(env, 'cadres.reveal', { id: other }, keys.committee1),
      await dispatch(env, 'cadres.reveal', { id: ids.cadre }, keys.official),
      await dispatch(env, 'residents.reveal', { id: ids.created, field: 'docNumber' }, keys.official),
    ];
    for (const r of refused) expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(audits('cadre.reveal_phone')).toBe(before + 2);
  });
});

describe('search cannot probe the masked middle', () => {
  const NEW_ID = makeIdNumber('131002', '1979-07-24', 517);
  const residentHits = async (search: string) => (await call(env, 'residents.list', { status: 'all', search, limit: 1000 }, keys.clerk)).rows.map((r) => r.id);
  const cadreHits = async (search: string) => (await call(env, 'cadres.list', { search }, keys.clerk)).map((r) => r.id);

  it('finds a resident by the whole ID number, its first 6 or last 4 digits; not by its birth-date digits', async () => {
    for (const found of [NEW_ID, NEW_ID.slice(0, 6), NEW_ID.slice(-4), '13811113333', '3333', '138']) expect(await residentHits(found), found).toContain(ids.created);
    for (const hidden of ['19790724', '0724', '790724', NEW_ID.slice(0, 10), NEW_ID.slice(6, 17), NEW_ID.slice(-5), '1111', '381111', '11113333']) {
      expect(await residentHits(hidden), hidden).not.toContain(ids.created);
    }
  });

  it('finds a cadre by the whole phone, its first 3 or last 4 digits; not by the masked middle', async () => {
    for (const found of ['13922224444', '4444', '139']) expect(await cadreHits(found), found).toContain(ids.cadre);
    for (const hidden of ['2222', '922224', '1392', '24444', '392222']) expect(await cadreHits(hidden), hidden).not.toContain(ids.cadre);
  });
});
