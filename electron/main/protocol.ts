// The app:// protocol: serves the built renderer (out/renderer) to our window with the CSP header,
// so the UI never runs from file:// and every response carries the policy. The serving itself is in app-files.ts.
import { protocol } from 'electron';
import { APP_SCHEME, makeAppHandler } from './app-files.ts';

export { APP_HOST, APP_ORIGIN, APP_SCHEME, APP_START_URL, isAppUrl, makeAppHandler, resolveAppFile } from './app-files.ts';

/** Must run before app 'ready': app:// behaves like https (standard origin, secure context, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves `rendererDir` at app://desk/ (call after 'ready'). */
export function registerAppProtocol(rendererDir: string): void {
  protocol.handle(APP_SCHEME, makeAppHandler(rendererDir));
}
