// The two cookies of the office server: the device credential (long-lived, from pairing) and the session (made at
// login). Both HttpOnly and SameSite=Strict; Secure whenever the server speaks TLS.
export const SESSION_COOKIE = 'idesk_session';
export const DEVICE_COOKIE = 'idesk_device';
/** A paired device stays paired until revoked; browsers cap a cookie's life at 400 days. */
const DEVICE_MAX_AGE_S = 400 * 86_400;

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

const attrs = (secure: boolean) => `Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

export const sessionCookie = (value: string, secure: boolean) => `${SESSION_COOKIE}=${value}; ${attrs(secure)}`;
export const deviceCookie = (value: string, secure: boolean) => `${DEVICE_COOKIE}=${value}; ${attrs(secure)}; Max-Age=${DEVICE_MAX_AGE_S}`;
export const clearCookie = (name: string, secure: boolean) => `${name}=; ${attrs(secure)}; Max-Age=0`;
