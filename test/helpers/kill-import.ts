// Child process of the SIGKILL test (test/unit/trust-crash.test.ts). Reads and checks a resident list first, says
// "ready", waits for "go" on stdin, then commits it with the real import (one transaction). It says "midway" when the
// import reports the first 2000 people written (still inside the transaction), "committing" just before the COMMIT
// statement runs (every line before it is surely inside the transaction) and "committed" after it.
// Usage: node test/helpers/kill-import.ts <db file> <csv file>
import readline from 'node:readline';
import { openDatabase } from '../../electron/db/open.ts';
import { fixedClock, today } from '../../electron/domain/clock.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';
import { loadImportTable } from '../../electron/excel/import/run.ts';
import { analyseResidents } from '../../electron/excel/import/residents.ts';
import { commitResidents } from '../../electron/excel/import/commit.ts';

const [dbFile, csvFile] = process.argv.slice(2);
const handle = await openDatabase(dbFile);
// Announce the COMMIT before SQLite runs it. Pipes are written synchronously on Linux, so a child killed before this
// line reached the pipe had not committed; one killed after it may or may not have.
const prepare = handle.sqlite.prepare.bind(handle.sqlite);
handle.sqlite.prepare = ((sql: string) => {
  if (/^\s*commit\b/i.test(sql)) process.stdout.write('committing\n');
  return prepare(sql);
}) as typeof handle.sqlite.prepare;
const ctx = { db: handle.db, actor: CLI_ACTOR, clock: fixedClock('2022-01-20T01:00:00.000Z') };
const table = await loadImportTable(ctx, { file: csvFile, fileName: 'kill-test.csv' });
const analysis = analyseResidents(table, {}, { today: today(ctx.clock), orgNames: [] });
if (analysis.errors.length) throw new Error(`test list has errors: ${JSON.stringify(analysis.errors.slice(0, 3))}`);
process.stdout.write(`ready ${analysis.people.length}\n`);
await new Promise<void>((resolve) => readline.createInterface({ input: process.stdin }).once('line', () => resolve()));
let midway = false;
const summary = await commitResidents(
  ctx,
  analysis,
  { mode: 'all-or-nothing', fileName: 'kill-test.csv', confirm: { stale: 'import-active', createCommunities: [...new Set(analysis.people.map((p) => p.community))] } },
  {
    progress: (p) => {
      if (!midway && p.done > 0 && p.done < p.total) {
        midway = true;
        process.stdout.write('midway\n');
      }
    },
  },
);
process.stdout.write(`committed ${summary.status} ${summary.imported}\n`);
await handle.close();
process.exit(0);
