// The desktop app's first-start choice (本机数据库 / 连接到街道服务器): the channels of its small bridge
// (window.desk.connection in the preload, answered by electron/main/connect.ts), what they answer, and how a
// certificate fingerprint is shown to a person. Pure TypeScript: the main process, the preload and the renderer use it.

/**
 * How the main process tells the preload which bridge to expose (webPreferences.additionalArguments →
 * process.argv): `${BRIDGE_ARG}connect` = window.desk only (the choice page); otherwise window.api (local mode).
 */
export const BRIDGE_ARG = '--idesk-bridge=';
export type PreloadBridge = 'local' | 'connect';

/** IPC channels of the choice page; only registered while the app has no mode yet (first start). */
export const CONNECTION_CHANNELS = {
  choose: 'connection.chooseLocal',
  probe: 'connection.probe',
  pair: 'connection.pair',
} as const;

/** Why a step failed. The renderer words each in zh/en; SERVER carries the server's own (Chinese) message. */
export type ConnectionErrorCode =
  | 'BAD_INPUT'
  | 'BAD_URL'
  | 'UNREACHABLE'
  | 'TIMEOUT'
  | 'NOT_TLS'
  | 'CERT_CHANGED'
  | 'BAD_ANSWER'
  | 'NO_CREDENTIAL'
  | 'NO_SAFE_STORAGE'
  | 'SERVER'
  | 'FAILED';

export interface ConnectionError {
  code: ConnectionErrorCode;
  /** Chinese text: the server's message (SERVER) or the main process's explanation. */
  message: string;
}

export type ConnectionResult<T> = { ok: true; data: T } | { ok: false; error: ConnectionError };

export interface ProbeAnswer {
  /** The address as it will be stored and loaded: https://host:port/ */
  url: string;
  /** SHA-256 of the certificate (DER), 64 lowercase hex digits. */
  fingerprint: string;
}

export interface PairInput {
  url: string;
  /** The fingerprint the clerk compared and confirmed; the pairing connection accepts only this certificate. */
  fingerprint: string;
  code: string;
  name: string;
}

export interface PairAnswer {
  deviceId: number | null;
  name: string;
}

/** What the preload exposes as window.desk on the choice page. */
export interface DeskConnectionBridge {
  chooseLocal(): Promise<ConnectionResult<null>>;
  probe(url: string): Promise<ConnectionResult<ProbeAnswer>>;
  pair(input: PairInput): Promise<ConnectionResult<PairAnswer>>;
}

export interface DeskBridge {
  connection: DeskConnectionBridge;
}

export const FINGERPRINT_RE = /^[0-9a-f]{64}$/;

/** 64 hex digits in 16 groups of 4, for comparing by eye: "ab12 cd34 …". */
export function groupFingerprint(fingerprint: string): string {
  return (fingerprint.match(/.{1,4}/g) ?? []).join(' ');
}

/** Pairing codes are 8 digits; spaces and dashes a clerk may type are dropped. */
export function normalizePairingCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}

export const PAIRING_CODE_RE = /^\d{8}$/;
export const DEVICE_NAME_MAX = 40;
