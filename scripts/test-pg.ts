// `npm run test:pg [vitest args]`: starts a throwaway PostgreSQL 15 (test/helpers/pg-server.ts), runs the
// engine-neutral suites on it (test/pg/vitest.config.ts, with IDESK_TEST_PG_URL set), and stops the server and deletes
// its folder afterwards — after a failure, and on Ctrl-C or SIGTERM too. Exits with vitest's code.
import { spawn } from 'node:child_process';
import { startPgServer } from '../test/helpers/pg-server.ts';

// watchParent: even a SIGKILL of this script leaves no server running (a detached watcher stops it).
const server = await startPgServer({ watchParent: true });
let stopped = false;
const stop = () => {
  if (!stopped) {
    stopped = true;
    server.stop();
  }
};
process.on('exit', stop);
console.log(`PostgreSQL 15 on 127.0.0.1:${server.port} (${server.dir})`);
const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/pg/vitest.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, IDESK_TEST_PG_URL: server.url },
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(sig, () => {
    child.kill(sig);
  });
}
const code = await new Promise<number>((resolve) => {
  child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0)));
  child.on('error', () => resolve(1));
});
stop();
process.exit(code);
