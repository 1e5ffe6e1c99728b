// The operating system's key store as the shell uses it (Electron safeStorage: DPAPI on Windows, Keychain on macOS,
// libsecret/kwallet on Linux), and whether it protects anything here. No Electron import: the database key
// (db-key.ts) and the client mode's device credential (connection-file.ts) take it as a parameter.
import type { SafeStorage } from 'electron';

export type KeyStore = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & {
  getSelectedStorageBackend?: SafeStorage['getSelectedStorageBackend'];
};

/** True when the key store keeps a secret for this user only. */
export function storeUsable(store: KeyStore): boolean {
  if (!store.isEncryptionAvailable()) return false;
  // Linux without a keyring: Electron "encrypts" with a fixed password; that protects nothing.
  return process.platform !== 'linux' || store.getSelectedStorageBackend?.() !== 'basic_text';
}
