// Hardening of every web contents and the session: our pages may only navigate within app:// (in client mode: within
// the pinned office server's origin, pinnedOriginCheck), new windows are denied (a few official https sites open in
// the system browser), and no web permission is ever granted.
import { shell, type App, type Session, type WebContents } from 'electron';
import { isAppUrl } from './app-files.ts';

/** https hosts a link in the UI may open in the system browser (policy documents). Exact host match. */
export const EXTERNAL_HOSTS: readonly string[] = ['www.nhc.gov.cn', 'www.gov.cn', 'www.chinacdc.cn'];

export function isAllowedExternal(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return u.protocol === 'https:' && u.username === '' && u.password === '' && u.port === '' && EXTERNAL_HOSTS.includes(u.hostname);
}

/** Opens an allowlisted https link in the system browser; anything else is ignored. Returns whether it opened. */
export function openExternalIfAllowed(url: string): boolean {
  if (!isAllowedExternal(url)) return false;
  void shell.openExternal(url);
  return true;
}

export type UrlCheck = (url: string) => boolean;

/**
 * Client mode: the one origin the window may show, the pinned office server (https, its host and port), and nothing
 * else — not app://desk, not another port of the same host, not a URL carrying a user name or password.
 */
export function pinnedOriginCheck(serverUrl: string): UrlCheck {
  const origin = new URL(serverUrl).origin;
  if (!origin.startsWith('https://')) throw new Error(`not an https origin: ${serverUrl}`);
  return (url) => {
    try {
      const u = new URL(url);
      return u.protocol === 'https:' && u.origin === origin && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  };
}

/** Guards one web contents: navigation, redirects, new windows, <webview>. */
export function hardenContents(contents: WebContents, isTrusted: UrlCheck = isAppUrl): void {
  const guardNavigation = (event: { url?: string; preventDefault(): void }, legacyUrl?: string) => {
    const target = event.url ?? legacyUrl ?? '';
    if (isTrusted(target)) return;
    event.preventDefault();
    // A plain <a href> to an official site still reaches the user, in their browser, not in our window.
    openExternalIfAllowed(target);
  };
  contents.on('will-navigate', (event, url) => guardNavigation(event, url));
  contents.on('will-frame-navigate', (event) => {
    if (!isTrusted(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrusted(event.url ?? url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
}

/** No camera, notifications, geolocation, clipboard-read, HID… — the app needs none of them. */
export function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** Applies hardenContents to every web contents ever created (our window, devtools, anything unexpected). */
export function installContentsGuard(app: App, isTrusted: UrlCheck = isAppUrl): void {
  app.on('web-contents-created', (_event, contents) => hardenContents(contents, isTrusted));
}
