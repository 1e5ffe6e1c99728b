// The preload with a mocked `electron`: window.api has exactly one function per contract channel and nothing else,
// never ipcRenderer; the build swaps the name list for plain strings so the sandboxed preload carries no zod.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('../helpers/electron-mock.ts')).electronMock);

import { contextBridge, ipcRenderer } from '../helpers/electron-mock.ts';
import { contract } from '../../electron/api/contract.ts';
import { channelNames } from '../../electron/api/channel-names.ts';
import { BRIDGE_ARG, CONNECTION_CHANNELS } from '../../electron/shared/connection.ts';
import { CHANNEL_NAMES_FILE, channelNamesPlugin, renderChannelNames } from '../../scripts/channel-names-plugin.ts';

const here = import.meta.dirname;

describe('channel names for the preload', () => {
  it('the source list is exactly the contract channels', () => {
    expect([...channelNames].sort()).toEqual(Object.keys(contract).sort());
    expect(CHANNEL_NAMES_FILE).toBe(path.resolve(here, '../../electron/api/channel-names.ts'));
  });

  it('the build swaps channel-names.ts for a plain array of every channel, with no import at all', async () => {
    const plugin = channelNamesPlugin() as { load: (id: string) => string | null };
    const code = plugin.load(CHANNEL_NAMES_FILE)!;
    expect(code).toBe(renderChannelNames(Object.keys(contract)));
    // (Channel names such as 'import.commit' contain the word, so look for statements and calls.)
    expect(code).not.toMatch(/^\s*(import|export)\b.*\bfrom\b|^\s*import\s*['"]|\brequire\s*\(|\bimport\s*\(/m);
    const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext } }).outputText;
    const mod = await import(`data:text/javascript,${encodeURIComponent(js)}`);
    expect(mod.channelNames).toEqual(Object.keys(contract).sort());
    // Other modules pass through untouched.
    expect(plugin.load(path.resolve(here, '../../electron/api/contract.ts'))).toBeNull();
  });
});

describe('preload', async () => {
  await import('../../electron/preload/index.ts');
  const api = contextBridge.exposed.get('api') as Record<string, unknown>;
  // (Read now: the choice-page suite below re-imports the preload into an emptied mock before these tests run.)
  const exposed = [...contextBridge.exposed.keys()];

  it('exposes only "api" to the page', () => {
    expect(exposed).toEqual(['api']);
  });

  it('has one function per channel name and nothing else', () => {
    expect(Object.keys(api).sort()).toEqual(Object.keys(contract).sort());
    for (const [name, fn] of Object.entries(api)) expect(typeof fn, name).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('never hands out ipcRenderer or its methods', () => {
    const values = Object.values(api);
    expect(values).not.toContain(ipcRenderer);
    expect(values).not.toContain(ipcRenderer.invoke);
    expect('ipcRenderer' in api).toBe(false);
    expect('invoke' in api).toBe(false);
    expect('on' in api).toBe(false);
  });

  it('forwards channel and input to ipcRenderer.invoke and returns its result', async () => {
    ipcRenderer.invoke.mockClear();
    const call = api['residents.list'] as (input: unknown) => Promise<unknown>;
    const result = await call({ limit: 10 });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('residents.list', { limit: 10 });
    expect(result).toEqual({ ok: true, data: { channel: 'residents.list', input: { limit: 10 } } });
  });

  it('source: the preload imports ipcRenderer only from electron and only channel NAMES from the api', () => {
    const src = fs.readFileSync(path.resolve(here, '../../electron/preload/index.ts'), 'utf8');
    const valueImports = src.split('\n').filter((l) => /^import (?!type\b)/.test(l));
    expect(valueImports.map((l) => /from '([^']+)'/.exec(l)?.[1])).toEqual(['electron', '../api/channel-names.ts', '../shared/connection.ts']);
    // The shared file the preload loads imports nothing (no zod, no Node) and carries no secret.
    const shared = fs.readFileSync(path.resolve(here, '../../electron/shared/connection.ts'), 'utf8');
    expect(shared).not.toMatch(/^import /m);
  });
});

describe('preload on the first-start choice page (--idesk-bridge=connect)', async () => {
  const m = await import('../helpers/electron-mock.ts');
  m.resetElectronMock();
  vi.resetModules();
  process.argv.push(`${BRIDGE_ARG}connect`);
  try {
    await import('../../electron/preload/index.ts');
  } finally {
    process.argv.splice(process.argv.indexOf(`${BRIDGE_ARG}connect`), 1);
  }
  const desk = m.contextBridge.exposed.get('desk') as { connection: Record<string, (input?: unknown) => Promise<unknown>> };

  it('exposes only window.desk (no window.api: the choice page has no database to call)', () => {
    expect([...m.contextBridge.exposed.keys()]).toEqual(['desk']);
    expect(Object.keys(desk)).toEqual(['connection']);
    expect(Object.keys(desk.connection).sort()).toEqual(['chooseLocal', 'pair', 'probe']);
    expect(Object.isFrozen(desk) && Object.isFrozen(desk.connection)).toBe(true);
  });

  it('each step forwards to its own channel', async () => {
    m.ipcRenderer.invoke.mockClear();
    await desk.connection.probe('https://192.168.1.10:5443/');
    await desk.connection.pair({ code: '12345678' });
    await desk.connection.chooseLocal();
    expect(m.ipcRenderer.invoke.mock.calls).toEqual([
      [CONNECTION_CHANNELS.probe, 'https://192.168.1.10:5443/'],
      [CONNECTION_CHANNELS.pair, { code: '12345678' }],
      [CONNECTION_CHANNELS.choose, undefined],
    ]);
  });
});
