// Crash safety: a child process commits a large resident list with the real import (one transaction) and is killed
// with SIGKILL at random moments, 20 times. After each kill the file passes integrity_check and holds either the
// whole list or none of it. Half the kills come at a random moment after "go"; the other half at a random moment after
// the child said it was midway through the transaction (half of them aimed at the time it then takes to reach the
// COMMIT, so some surely land inside it; the other half up to a while after the COMMIT); more kills follow (up to 40)
// until at least 3 landed inside the transaction.
// A kill is classed from everything the child wrote before it died (read to the end of its stdout, not just to its
// exit): no "committing" line means it died before the COMMIT statement ran, so the file must hold none of the list.
// "midway" alone is not enough: the child may reach and finish the COMMIT between the kill being decided and landing.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import SqliteDatabase from 'better-sqlite3-multiple-ciphers';
import { tempDir } from '../helpers/env.ts';
import { openDatabase } from '../../electron/db/open.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { ensureCommunity, setOrgIdentity } from '../../electron/domain/places.ts';
import { makeIdNumber } from '../../electron/shared/idcard.ts';

const PEOPLE = 2500; // the import reports progress after 2000: "midway" is then surely inside the transaction
const KILLS = 20;
/** More kills (up to this many) while fewer than 3 of them landed inside the transaction: the timing is random. */
const MAX_KILLS = 40;
const PARALLEL = 2;
const CHILD = path.resolve('test/helpers/kill-import.ts');

interface Run {
  child: ChildProcess;
  lines: string[];
  wait: (word: string) => Promise<number>;
  exited: Promise<void>;
}

function start(dbFile: string, csv: string): Run {
  const child = spawn(process.execPath, [CHILD, dbFile, csv], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { word: string; resolve: (t: number) => void }[] = [];
  let buf = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    buf += String(d);
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      for (const w of waiters.filter((x) => line.startsWith(x.word))) w.resolve(performance.now());
    }
  });
  child.stderr!.on('data', (d) => (err += String(d)));
  // 'close' (not 'exit'): every line the child wrote has been read by then.
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const wait = (word: string) =>
    new Promise<number>((resolve, reject) => {
      if (lines.some((l) => l.startsWith(word))) return resolve(performance.now());
      waiters.push({ word, resolve });
      void exited.then(() => setTimeout(() => reject(new Error(`child exited before "${word}": ${err.slice(-2000)}`)), 50));
    });
  return { child, lines, wait, exited };
}

function inspect(dbFile: string) {
  // Opening read-write lets SQLite recover from the -wal as the app would.
  const raw = new SqliteDatabase(dbFile);
  try {
    return {
      integrity: (raw.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join(';'),
      residents: raw.prepare('SELECT COUNT(*) FROM residents').pluck().get() as number,
      episodes: raw.prepare('SELECT COUNT(*) FROM episodes').pluck().get() as number,
      households: raw.prepare('SELECT COUNT(*) FROM households').pluck().get() as number,
      batches: raw.prepare('SELECT COUNT(*) FROM import_batches').pluck().get() as number,
      audit: raw.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number,
    };
  } finally {
    raw.close();
  }
}

async function prepare(dir: string) {
  const template = path.join(dir, 'template.db');
  const h = await openDatabase(template, { create: true });
  const ctx = { db: h.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T01:00:00.000Z') };
  await setOrgIdentity(ctx, '广阳区', '解放道街道');
  await ensureCommunity(ctx, '西大街社区');
  await h.close();
  const rows = ['序号,姓名,身份证号,联系电话,社区,小区,楼号,单元,房号,隔离开始日期'];
  for (let i = 0; i < PEOPLE; i++) {
    const birth = `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`;
    const id = makeIdNumber('131002', birth, 1 + Math.floor(i / 360));
    rows.push([i + 1, `居民${i}`, id, `139${String(10_000_000 + i).slice(-8)}`, '西大街社区', '金桥小区', 1 + (i % 20), 1, 100 + i, '2022-01-18'].join(','));
  }
  const csv = path.join(dir, 'list.csv');
  fs.writeFileSync(csv, rows.join('\n'));
  return { template, csv };
}

describe('SIGKILL during a large import', () => {
  it(`leaves a sound file with all ${PEOPLE} people or none, ${KILLS} times`, { timeout: 600_000 }, async () => {
    const dir = tempDir('idesk-kill-');
    const { template, csv } = await prepare(dir);
    const empty = inspect(template);

    // Calibration: one run to the end measures the commit and what a full import adds.
    const full = path.join(dir, 'full.db');
    fs.copyFileSync(template, full);
    const cal = start(full, csv);
    await cal.wait('ready');
    const go = performance.now();
    cal.child.stdin!.write('go\n');
    const mid = await cal.wait('midway');
    const committing = await cal.wait('committing');
    const done = await cal.wait('committed');
    await cal.exited;
    const midwayMs = mid - go;
    // From "midway" to the COMMIT statement: the part of the transaction most of the second half of the kills aims at;
    // every other one of them aims at three times the rest of the calibration run (the kill runs go two at a time, so
    // slower), so some land on or after the COMMIT too.
    const insideMs = committing - mid;
    const restMs = done - mid;
    expect(done).toBeGreaterThanOrEqual(committing);
    const whole = inspect(full);
    expect(whole).toMatchObject({ integrity: 'ok', residents: PEOPLE, episodes: PEOPLE, batches: 1 });

    const outcomes: { delay: number; midway: boolean; committing: boolean; committed: boolean; state: 'none' | 'all' }[] = [];
    const one = async (i: number) => {
      const file = path.join(dir, `kill-${i}.db`);
      fs.copyFileSync(template, file);
      const run = start(file, csv);
      await run.wait('ready');
      const afterMidway = i % 2 === 1;
      const delay = Math.random() * (!afterMidway ? midwayMs * 1.2 : i % 4 === 1 ? insideMs : restMs * 3);
      run.child.stdin!.write('go\n');
      if (afterMidway) await run.wait('midway').catch(() => undefined);
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill('SIGKILL');
      await run.exited;
      const s = inspect(file);
      expect(s.integrity, `kill ${i}`).toBe('ok');
      const state = s.residents === 0 ? 'none' : 'all';
      expect(s, `kill ${i} after ${delay.toFixed(0)} ms left a partial import`).toEqual(state === 'none' ? empty : whole);
      // And the app opens it normally.
      await (await openDatabase(file)).close();
      outcomes.push({
        delay,
        midway: run.lines.includes('midway'),
        committing: run.lines.includes('committing'),
        committed: run.lines.some((l) => l.startsWith('committed')),
        state,
      });
      for (const f of fs.readdirSync(dir)) if (f.startsWith(`kill-${i}.db`)) fs.rmSync(path.join(dir, f));
    };
    const inside = () => outcomes.filter((o) => o.midway && !o.committing).length;
    let next = 0;
    const take = () => (next < KILLS || (inside() < 3 && next < MAX_KILLS) ? next++ : undefined);
    await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        for (let i = take(); i !== undefined; i = take()) await one(i);
      }),
    );

    if (process.env.KILL_LOG) console.log(JSON.stringify(outcomes.map((o) => [Math.round(o.delay), +o.midway, +o.committing, +o.committed, o.state])));
    expect(outcomes.length).toBeGreaterThanOrEqual(KILLS);
    // Killed after the import said it had written 2000 people but before the COMMIT ran: those must have left nothing.
    const midTransaction = outcomes.filter((o) => o.midway && !o.committing);
    for (const o of outcomes.filter((x) => !x.committing)) expect(o.state, JSON.stringify(o)).toBe('none');
    for (const o of outcomes.filter((x) => x.committed)) expect(o.state).toBe('all');
    expect(midTransaction.length, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(3);
  });
});
