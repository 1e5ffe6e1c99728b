// The office server's certificate: made on first start (self-signed, ECDSA P-256, ten years) and kept beside the
// database with its private key readable by the owner only; or the office's own (--cert/--key). Clients pin it by
// its SHA-256 fingerprint (lowercase hex of the DER), which 设置 › 共享 shows as text and as a QR code.
import fs from 'node:fs';
import path from 'node:path';
import { webcrypto, X509Certificate } from 'node:crypto';
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

export interface ServerCertificate {
  cert: string;
  key: string;
  fingerprint: string;
  /** Where they were read from (or written to). */
  certFile: string;
  keyFile: string;
  created: boolean;
}

/** SHA-256 of a certificate (PEM or DER), lowercase hex without separators. */
export function fingerprintOf(cert: string | Buffer | Uint8Array): string {
  return new X509Certificate(typeof cert === 'string' ? cert : Buffer.from(cert)).fingerprint256.replaceAll(':', '').toLowerCase();
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

/** A new self-signed ECDSA P-256 certificate naming `hosts` (IP addresses and names) as subject alternative names. */
export async function makeSelfSigned(hosts: string[], commonName = 'Isolation Desk office server'): Promise<{ cert: string; key: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = new Date();
  const ip = (h: string) => /^\d+\.\d+\.\d+\.\d+$/.test(h) || h.includes(':');
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=${commonName}`,
      notBefore: new Date(now.getTime() - 86_400_000),
      notAfter: new Date(now.getTime() + 10 * 365 * 86_400_000),
      signingAlgorithm: alg,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([...new Set(hosts)].map((h) => (ip(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))),
      ],
    },
    webcrypto as unknown as Crypto,
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: cert.toString('pem') + '\n', key: pem('PRIVATE KEY', pkcs8) };
}

export interface CertificateOptions {
  /** The folder for a made certificate (beside the database). */
  dir: string;
  /** The office's own certificate and key (PEM files). */
  certFile?: string;
  keyFile?: string;
  /** Addresses to name in a new certificate (always with 127.0.0.1 and localhost). */
  hosts?: string[];
}

/** Reads the office's certificate, or the one made before, or makes one (key file mode 0600). */
export async function loadOrCreateCertificate(opts: CertificateOptions): Promise<ServerCertificate> {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) throw new Error('--cert 和 --key 须同时给出（证书和它的私钥，PEM 格式）。');
    const cert = fs.readFileSync(opts.certFile, 'utf8');
    const key = fs.readFileSync(opts.keyFile, 'utf8');
    return { cert, key, fingerprint: fingerprintOf(cert), certFile: path.resolve(opts.certFile), keyFile: path.resolve(opts.keyFile), created: false };
  }
  const certFile = path.join(opts.dir, 'server-cert.pem');
  const keyFile = path.join(opts.dir, 'server-key.pem');
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    return { cert, key: fs.readFileSync(keyFile, 'utf8'), fingerprint: fingerprintOf(cert), certFile, keyFile, created: false };
  }
  fs.mkdirSync(opts.dir, { recursive: true });
  const made = await makeSelfSigned(['127.0.0.1', 'localhost', ...(opts.hosts ?? [])]);
  // The key first, created owner-only; the certificate (public) after it, so a half-made pair is never "found".
  fs.writeFileSync(keyFile, made.key, { mode: 0o600, flag: 'w' });
  fs.chmodSync(keyFile, 0o600);
  fs.writeFileSync(certFile, made.cert, { mode: 0o644 });
  return { ...made, fingerprint: fingerprintOf(made.cert), certFile, keyFile, created: true };
}
