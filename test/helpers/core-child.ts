// The desktop app's core process started the way tests can: child_process.fork of the real entry
// (electron/server/core-process.ts, run by Node with its type stripping), wrapped to look like Electron's
// UtilityProcess (postMessage, 'message', 'exit', kill) — the shape main/core-client.ts expects.
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import type { CoreChild } from '../../electron/main/core-client.ts';

export const CORE_ENTRY = path.resolve(import.meta.dirname, '../../electron/server/core-process.ts');

export interface ForkedCore extends CoreChild {
  child: ChildProcess;
}

/** Every core a test started, so a test that fails half-way leaves none behind (killCores). */
const started = ((globalThis as { __forkedCores?: ChildProcess[] }).__forkedCores ??= []);

export function forkCore(entry = CORE_ENTRY): ForkedCore {
  // No inherited execArgv (vitest's own flags); structured clone like Electron's postMessage.
  const child = fork(entry, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  started.push(child);
  return {
    child,
    postMessage: (m) => void child.send(m as never),
    on: ((event: string, fn: (...args: any[]) => void) => child.on(event, fn)) as CoreChild['on'],
    // UtilityProcess.kill() sends SIGTERM.
    kill: () => child.kill('SIGTERM'),
  };
}

export function killCores(): void {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
