// Main's side of the core process (electron/server/core-process.ts): spawns it, sends requests with an id and resolves
// each with its reply, so the window's IPC, menus and dialogs never wait on the database. A core that dies fails every
// pending call at once with a Chinese message (core.gone); one that does not answer in time fails it with core.timeout.
// No Electron import: index.ts passes utilityProcess.fork, tests pass child_process.fork.
import type { ApiResult } from '../api/dispatch.ts';
import { fail } from '../shared/errors.ts';
import { CoreError, type CoreAnswers, type CoreOp, type FromCore } from '../server/core-protocol.ts';

/** The spawned core as main sees it: Electron's UtilityProcess has exactly this shape. */
export interface CoreChild {
  postMessage(message: unknown): void;
  on(event: 'message', fn: (message: unknown) => void): unknown;
  on(event: 'exit', fn: (code: number | null) => void): unknown;
  kill(): boolean;
}

/** Starts one core process (utilityProcess.fork in the app). */
export type SpawnCore = () => CoreChild;

export interface CoreClientOptions {
  /** How long an API call may take before the window is told (default 10 minutes: a big export or restore). */
  callTimeoutMs?: number;
  /** How long the core may take to start listening (default 30 s). */
  startTimeoutMs?: number;
  /** The core exited without being asked to (crash, killed): pending calls have already failed. */
  onUnexpectedExit?: (code: number | null) => void;
  showItemInFolder?: (file: string) => void;
  /** 设置 › 共享 chose the database of the next start (a full URL, or null for the data file): main keeps it. */
  saveServerDatabase?: (url: string | null) => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout> | null;
}

const GONE = () => new CoreError({ name: 'CoreGone', code: 'core_gone', message: fail('INTERNAL', 'core.gone').message });

export class CoreClient {
  readonly #spawn: SpawnCore;
  readonly #opts: CoreClientOptions;
  #child: CoreChild | null = null;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #stopping = false;

  constructor(spawn: SpawnCore, opts: CoreClientOptions = {}) {
    this.#spawn = spawn;
    this.#opts = opts;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Spawns the core and resolves once it listens. */
  start(): Promise<void> {
    if (this.#child) return Promise.resolve();
    this.#stopping = false;
    const child = this.#spawn();
    this.#child = child;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setTimeout(() => {
        if (started) return;
        started = true;
        child.kill();
        reject(new Error('本机数据服务未能启动（超时）。'));
      }, this.#opts.startTimeoutMs ?? 30_000);
      child.on('message', (raw) => {
        const m = raw as FromCore;
        if (m?.type === 'ready') {
          if (started) return;
          started = true;
          clearTimeout(timer);
          resolve();
        } else if (m?.type === 'reply') this.#settle(m);
        else if (m?.type === 'showItemInFolder') this.#opts.showItemInFolder?.(m.file);
        else if (m?.type === 'serverDatabase') this.#opts.saveServerDatabase?.(m.url);
      });
      child.on('exit', (code) => {
        if (this.#child === child) this.#child = null;
        const pending = [...this.#pending.values()];
        this.#pending.clear();
        for (const p of pending) {
          if (p.timer) clearTimeout(p.timer);
          p.reject(GONE());
        }
        if (!started) {
          started = true;
          clearTimeout(timer);
          reject(new Error(`本机数据服务未能启动（退出码 ${code}）。`));
          return;
        }
        if (!this.#stopping) this.#opts.onUnexpectedExit?.(code);
      });
    });
  }

  #settle(m: Extract<FromCore, { type: 'reply' }>): void {
    const p = this.#pending.get(m.id);
    if (!p) return; // timed out already
    this.#pending.delete(m.id);
    if (p.timer) clearTimeout(p.timer);
    if (m.ok) p.resolve(m.value);
    else p.reject(new CoreError(m.error));
  }

  /** One request; rejects with the core's error (name and code kept), core.gone if it died, core.timeout if slow. */
  request<O extends CoreOp>(op: O, timeoutMs?: number): Promise<CoreAnswers[O['op']]> {
    const child = this.#child;
    if (!child) return Promise.reject(GONE());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? null
          : setTimeout(() => {
              this.#pending.delete(id);
              const seconds = Math.round(timeoutMs / 1000);
              reject(new CoreError({ name: 'CoreTimeout', code: 'core_timeout', message: fail('INTERNAL', 'core.timeout', { seconds }).message }));
            }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      child.postMessage({ ...op, id });
    });
  }

  /** An API call for the window: always an ApiResult (core.gone / core.timeout as its error), never a rejection. */
  async call(channel: string, input: unknown, sessionKey: string): Promise<ApiResult<unknown>> {
    const timeoutMs = this.#opts.callTimeoutMs ?? 10 * 60_000;
    try {
      return await this.request({ op: 'call', channel, input, sessionKey }, timeoutMs);
    } catch (e) {
      const code = (e as CoreError).code;
      if (code === 'core_timeout') return { ok: false, error: fail('INTERNAL', 'core.timeout', { seconds: Math.round(timeoutMs / 1000) }).toJSON() };
      return { ok: false, error: fail('INTERNAL', 'core.gone').toJSON() };
    }
  }

  /**
   * Clean stop: the core closes the office server, makes the quit backup if asked, closes the file and exits. Settles
   * when it has exited; a core that does not finish within `timeoutMs` is killed (the WAL is recovered on the next open).
   */
  async shutdown(backup: boolean, timeoutMs = 90_000): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#stopping = true;
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await Promise.race([this.request({ op: 'shutdown', backup, backupTimeoutMs: Math.max(0, timeoutMs - 10_000) }, timeoutMs).catch(() => null), exited]);
    const killTimer = setTimeout(() => child.kill(), 5000);
    await exited;
    clearTimeout(killTimer);
  }

  /** Ends the core at once (no backup): the last resort when main itself is going. */
  kill(): void {
    this.#stopping = true;
    this.#child?.kill();
  }
}
