// The first-start choice, answered in the main process (the page is renderer/src/pages/ConnectPage.tsx, reached
// through window.desk.connection): 本机数据库 writes {mode:'local'}; 连接到街道服务器 reads the server's certificate
// for the clerk to compare (probe), then pairs over a connection pinned to that certificate with the code an admin
// made, keeps the device credential wrapped by safeStorage and writes the client choice. Either way the app then
// starts again in the chosen mode (onChosen).
import { z } from 'zod';
import {
  DEVICE_NAME_MAX,
  FINGERPRINT_RE,
  PAIRING_CODE_RE,
  normalizePairingCode,
  type ConnectionResult,
  type PairAnswer,
  type ProbeAnswer,
} from '../shared/connection.ts';
import type { KeyStore } from './key-store.ts';
import {
  ConnectionStoreError,
  NO_SAFE_STORAGE_MESSAGE,
  canStoreCredential,
  writeClientConnection,
  writeLocalConnection,
} from './connection-file.ts';
import { PinError, normalizeServerUrl, pinnedRequest, probeServer } from './pinning.ts';

/** The server's device cookie: its value is this PC's credential. */
export const DEVICE_COOKIE = 'idesk_device';
export const PAIR_PATH = '/api/devices.pair';

export interface ConnectDeps {
  userData: string;
  store: KeyStore;
  /** Called once a choice is written (the shell restarts into it). */
  onChosen: () => void;
  timeoutMs?: number;
}

const pairSchema = z.object({
  url: z.string().max(300),
  fingerprint: z.string().regex(FINGERPRINT_RE),
  code: z.string().max(40).transform(normalizePairingCode).pipe(z.string().regex(PAIRING_CODE_RE)),
  name: z.string().trim().min(1).max(DEVICE_NAME_MAX),
});

function failure(e: unknown): { ok: false; error: { code: PinError['code']; message: string } } {
  if (e instanceof PinError) return { ok: false, error: e.toJSON() };
  if (e instanceof ConnectionStoreError) return { ok: false, error: { code: 'NO_SAFE_STORAGE', message: e.message } };
  return { ok: false, error: { code: 'FAILED', message: `操作失败：${(e as Error)?.message ?? String(e)}` } };
}

/** The value of the named cookie among Set-Cookie headers, or null. */
export function cookieValue(setCookie: string[] | undefined, name: string): string | null {
  for (const line of setCookie ?? []) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) {
      const value = pair.slice(eq + 1).trim();
      if (value) return value;
    }
  }
  return null;
}

export function connectionHandlers(deps: ConnectDeps) {
  const chooseLocal = async (): Promise<ConnectionResult<null>> => {
    try {
      writeLocalConnection(deps.userData);
    } catch (e) {
      return failure(e);
    }
    deps.onChosen();
    return { ok: true, data: null };
  };

  const probe = async (input: unknown): Promise<ConnectionResult<ProbeAnswer>> => {
    try {
      if (typeof input !== 'string' || input.length > 300) throw new PinError('BAD_URL', '请输入街道服务器的地址，例如 https://192.168.1.10:5443/');
      const url = normalizeServerUrl(input);
      return { ok: true, data: { url, fingerprint: await probeServer(url, deps.timeoutMs) } };
    } catch (e) {
      return failure(e);
    }
  };

  const pair = async (input: unknown): Promise<ConnectionResult<PairAnswer>> => {
    const parsed = pairSchema.safeParse(input);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path[0];
      const message =
        field === 'code'
          ? '配对码是 8 位数字，请照管理员给的配对码输入。'
          : field === 'name'
            ? `请填写本机的设备名称（1 至 ${DEVICE_NAME_MAX} 个字），例如“西大街社区电脑”。`
            : '地址或证书指纹不完整，请返回重新输入服务器地址。';
      return { ok: false, error: { code: 'BAD_INPUT', message } };
    }
    const { fingerprint, code, name } = parsed.data;
    try {
      const url = normalizeServerUrl(parsed.data.url);
      // Before the server is asked: a code spent on a PC that cannot keep the credential would be wasted.
      if (!canStoreCredential(deps.store)) throw new ConnectionStoreError(NO_SAFE_STORAGE_MESSAGE);
      const res = await pinnedRequest(
        url,
        fingerprint,
        {
          method: 'POST',
          path: PAIR_PATH,
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ code, name }),
        },
        deps.timeoutMs,
      );
      let body: { ok?: unknown; data?: { deviceId?: unknown; name?: unknown }; error?: { message?: unknown } } | null = null;
      try {
        body = JSON.parse(res.body);
      } catch {
        body = null;
      }
      if (!body || typeof body !== 'object' || typeof body.ok !== 'boolean') {
        throw new PinError('BAD_ANSWER', `${url} 的应答（HTTP ${res.status}）不是街道服务器的格式。请确认地址是街道服务器的。`);
      }
      if (!body.ok) {
        const message = typeof body.error?.message === 'string' && body.error.message ? body.error.message : `配对未成功（HTTP ${res.status}）。`;
        return { ok: false, error: { code: 'SERVER', message } };
      }
      const credential = cookieValue(res.headers['set-cookie'], DEVICE_COOKIE);
      if (!credential) throw new PinError('NO_CREDENTIAL', '服务器接受了配对，但没有给出设备凭据。请让管理员检查服务器版本后重试。');
      const deviceId = typeof body.data?.deviceId === 'number' ? body.data.deviceId : null;
      const pairedName = typeof body.data?.name === 'string' && body.data.name ? body.data.name : name;
      writeClientConnection(deps.userData, deps.store, { url, fingerprint, name: pairedName, deviceId, credential });
      deps.onChosen();
      return { ok: true, data: { deviceId, name: pairedName } };
    } catch (e) {
      return failure(e);
    }
  };

  return { chooseLocal, probe, pair };
}
