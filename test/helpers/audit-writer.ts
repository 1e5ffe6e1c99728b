// A second writer process for the audit-chain tests: appends `n` audit rows to the file through domain/audit.ts on
// its own connection (as a job worker does), each in its own transaction (audit() opens it), and prints how many failed.
import { openDatabase } from '../../electron/db/open.ts';
import { audit } from '../../electron/domain/audit.ts';
// Tests write made-up action names ('test.*') that the app itself never writes.
import type { AuditAction } from '../../electron/shared/auditActions.ts';
import { fixedClock } from '../../electron/domain/clock.ts';
import { CLI_ACTOR } from '../../electron/domain/actor.ts';

const [file, count] = process.argv.slice(2);
const h = await openDatabase(file);
const ctx = { db: h.db, actor: { ...CLI_ACTOR, username: 'worker' }, clock: fixedClock('2022-01-20T01:00:00.000Z') };
process.stdout.write('ready\n');
// Wait for the test's go, so neither writer finishes before the other starts, and yield now and then so the two
// really take turns on a busy machine.
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
process.stdin.pause();
let failed = 0;
const errors = new Set<string>();
for (let i = 0; i < Number(count); i++) {
  try {
    await audit(ctx, { action: 'test.worker' as AuditAction, extra: { i } });
  } catch (e) {
    failed++;
    errors.add((e as Error).message);
  }
  if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2));
}
await h.close();
process.stdout.write(`${JSON.stringify({ failed, errors: [...errors] })}\n`);
