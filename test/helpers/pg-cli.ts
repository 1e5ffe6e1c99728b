// The command line run in-process on a PostgreSQL database whose URL carries a password: whatever it prints, as text
// or JSON, must not show that password (the PostgreSQL suites' shared check).
import { expect } from 'vitest';
import { runCli } from '../../electron/cli/run.ts';

export async function cliHidingPassword(password: string, argv: string[]) {
  const r = await runCli(argv);
  const all = `${r.result.text ?? ''}\n${JSON.stringify(r.result.json ?? null)}`;
  expect(all, 'the password never shows').not.toContain(password);
  return r.result;
}
