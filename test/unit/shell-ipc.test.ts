// ipc.ts with a mocked ipcMain over a real in-memory database: every contract channel is registered, calls from
// anything but our own app:// window are refused before dispatch, and valid calls return dispatch's result as is.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { FakeWebContents, invokeEvent, ipcMain } from '../helpers/electron-mock.ts';
import { registerIpc, sessionKeyOf } from '../../electron/main/ipc.ts';
import { contract } from '../../electron/api/contract.ts';
import { dispatch } from '../../electron/api/dispatch.ts';
import { makeEnv, PASSWORD, type TestEnv } from '../helpers/env.ts';

let t: TestEnv;
let unregister: () => void;
const ours = new FakeWebContents();
const stranger = new FakeWebContents();
const APP = 'app://desk/index.html';

function invoke(channel: string, event: unknown, input: unknown): Promise<any> {
  const fn = ipcMain.handlers.get(channel);
  if (!fn) throw new Error(`no handler for ${channel}`);
  return fn(event, input) as Promise<any>;
}

beforeAll(async () => {
  t = await makeEnv();
  unregister = registerIpc((channel, input, key) => dispatch(t.env, channel, input, key), { isOwnContents: (id) => id === ours.id });
});
afterAll(() => t.close());

describe('IPC registration', () => {
  it('registers every contract channel with ipcMain.handle, and nothing else', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.keys(contract).sort());
    // (The fake ipcMain.handle throws on a second registration, as Electron does: so each channel exactly once.)
  });
});

describe('IPC sender check', () => {
  it('a valid call from our window reaches dispatch; the session lives in main under wc:<id>', async () => {
    const r = await invoke('auth.login', invokeEvent(ours, APP), { username: 'admin', password: PASSWORD });
    expect(r.ok).toBe(true);
    expect(t.env.sessions.get(sessionKeyOf(ours.id))?.actor.username).toBe('admin');
    const me = await invoke('auth.me', invokeEvent(ours, 'app://desk/index.html#/residents'), {});
    expect(me).toMatchObject({ ok: true, data: { actor: { username: 'admin', role: 'admin' } } });
    // The result is the ApiResult itself: nothing added, no token for the renderer.
    expect(Object.keys(me).sort()).toEqual(['data', 'ok']);
    expect(JSON.stringify(me)).not.toMatch(/token|wc:/);
  });

  it.each([
    ['a foreign https page', () => invokeEvent(ours, 'https://evil.example/')],
    ['a file:// page', () => invokeEvent(ours, 'file:///C:/Users/x/Downloads/evil.html')],
    ['another app:// host', () => invokeEvent(ours, 'app://evil/index.html')],
    ['a subframe of our window', () => invokeEvent(ours, APP, { url: APP })],
    ['a destroyed frame', () => invokeEvent(ours, null)],
    ['web contents that are not our window', () => invokeEvent(stranger, APP)],
  ])('refuses %s with FORBIDDEN and never runs the handler', async (_label, event) => {
    // auth.logout would end our window's session: if it ran, the session would be gone.
    const r = await invoke('auth.logout', event(), {});
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(r.error.message).toMatch(/不受信任/);
    expect(t.env.sessions.get(sessionKeyOf(ours.id))?.actor.username).toBe('admin');
  });

  it('refuses a foreign login without creating any session', async () => {
    const r = await invoke('auth.login', invokeEvent(stranger, 'https://evil.example/'), { username: 'admin', password: PASSWORD });
    expect(r.ok).toBe(false);
    expect(t.env.sessions.get(sessionKeyOf(stranger.id))).toBeUndefined();
  });

  it('returns typed Chinese errors, never a stack', async () => {
    const r = await invoke('residents.list', invokeEvent(ours, APP), { bogus: 1 });
    expect(r).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    expect(r.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(JSON.stringify(r)).not.toMatch(/\bat .*\.ts:\d+|stack/i);
  });

  it('unregisters every channel', () => {
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
