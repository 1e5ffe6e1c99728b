// The office server's certificate fingerprint (SHA-256, 64 hex digits) as people compare it: groups of 4.

/** 'ab12cd34…' → 'ab12 cd34 …' (lowercase, as the server prints it). */
export function groupFingerprint(hex: string): string {
  return (hex.toLowerCase().match(/.{1,4}/g) ?? []).join(' ');
}

/** What the QR code of 设置 › 共享 holds: the address with the fingerprint (#/?fp=…, read by 配对), or the fingerprint alone. */
export function fingerprintLink(url: string | null, fingerprint: string): string {
  return url ? `${url.replace(/\/?$/, '/')}#/?fp=${fingerprint.toLowerCase()}` : fingerprint.toLowerCase();
}
