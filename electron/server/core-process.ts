// The desktop app's core process: its own event loop for the database, the API, jobs, the office server and the
// backups, so a slow query never freezes the window (issue 13). Started by main (main/core-client.ts) with Electron's
// utilityProcess.fork — messages then come through process.parentPort as {data} — or, in tests and under plain Node,
// with child_process.fork (process.on('message') / process.send). parentLink picks the one present.
import { Core } from './core.ts';
import { toCoreError, type CoreRequest, type FromCore } from './core-protocol.ts';

interface ParentPort {
  on(event: 'message', fn: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface ParentLink {
  send(msg: FromCore): void;
  onMessage(fn: (msg: unknown) => void): void;
  /** Exits once `last` has been handed over. */
  exitAfter(last: FromCore, code: number): void;
  /** Main went away without a shutdown (child_process only: a utility process ends with the app). */
  onParentGone(fn: () => void): void;
}

export function parentLink(proc: NodeJS.Process = process): ParentLink | null {
  const port = (proc as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (port) {
    return {
      send: (m) => port.postMessage(m),
      onMessage: (fn) => void port.on('message', (e) => fn(e.data)),
      exitAfter(m, code) {
        port.postMessage(m);
        // postMessage is asynchronous: give it a moment to leave before the process ends.
        setTimeout(() => proc.exit(code), 200);
      },
      onParentGone: () => {},
    };
  }
  if (typeof proc.send === 'function') {
    return {
      send: (m) => void proc.send!(m),
      onMessage: (fn) => void proc.on('message', fn),
      exitAfter: (m, code) => void proc.send!(m, undefined, {}, () => proc.exit(code)),
      onParentGone: (fn) => void proc.once('disconnect', fn),
    };
  }
  return null;
}

function isRequest(m: unknown): m is CoreRequest {
  return typeof m === 'object' && m !== null && typeof (m as { id?: unknown }).id === 'number' && typeof (m as { op?: unknown }).op === 'string';
}

/** Serves main's requests over `link` until shutdown. */
export function serveCore(link: ParentLink): Core {
  const core = new Core({
    showItemInFolder: (file) => link.send({ type: 'showItemInFolder', file }),
    saveServerDatabase: (url) => link.send({ type: 'serverDatabase', url }),
    log: (m) => process.stderr.write(`${m}\n`),
  });
  link.onMessage((m) => {
    if (!isRequest(m)) return;
    const { id } = m;
    core.handle(m).then(
      (value) => {
        const reply: FromCore = { type: 'reply', id, ok: true, value };
        if (m.op === 'shutdown') link.exitAfter(reply, 0);
        else link.send(reply);
      },
      (e: unknown) => {
        const reply: FromCore = { type: 'reply', id, ok: false, error: toCoreError(e) };
        if (m.op === 'shutdown') link.exitAfter(reply, 1);
        else link.send(reply);
      },
    );
  });
  // Main is gone (crashed or killed): close the file cleanly, no backup, and end.
  link.onParentGone(() => void core.shutdown(false).finally(() => process.exit(0)));
  link.send({ type: 'ready' });
  return core;
}

const link = parentLink();
if (link) serveCore(link);
else {
  process.stderr.write('core-process: 只能由居家隔离管理台主程序启动。\n');
  process.exitCode = 2;
}
