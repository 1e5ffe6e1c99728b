// A tiny hash router: URLs look like #/residents?status=due, which works the same from app://desk/index.html and
// from http://127.0.0.1:PORT/ (no server-side routes needed). Pages read filters from the query string.
import { useCallback, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

export interface Location {
  /** '/residents' */
  path: string;
  query: URLSearchParams;
  /** path + '?' + query, as in the address bar after '#'. */
  href: string;
}

/**
 * Who re-renders on a change of the URL. The browser's hashchange comes as a later task; navigate() also tells them at
 * once, so the screen follows within the event that changed it (an Esc closes the drawer and releases its focus lock
 * before the next key is handled: a '/' pressed right after went to the closing drawer, and its typing was lost).
 */
const listeners = new Set<() => void>();

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  window.addEventListener('hashchange', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('hashchange', fn);
  };
}

const snapshot = () => window.location.hash;

export function parseHash(hash: string): Location {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw) || '/';
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : ''), href: raw };
}

export function useLocation(): Location {
  const hash = useSyncExternalStore(subscribe, snapshot);
  return parseHash(hash);
}

/** Goes to '/path?x=1'. `replace` does not add a history entry (filters changing in place). */
export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const target = `#${to.startsWith('/') ? to : `/${to}`}`;
  if (opts.replace) window.location.replace(target);
  else window.location.hash = target;
  for (const fn of [...listeners]) fn();
}

/**
 * The query of the URL as it is now, not as of the last render: a handler that runs between a change of the URL and
 * the render that follows (a timer, a key pressed at once) must build on this, or it writes back what was just changed.
 */
export function currentQuery(): Record<string, string> {
  return Object.fromEntries(parseHash(window.location.hash).query.entries());
}

type QueryValues = Record<string, string | number | boolean | null | undefined>;

/**
 * The current query string as a plain object, and a setter that replaces it (keeps the path). Given a function, the
 * setter passes it the URL's query as it is now (`currentQuery`), so a patch never writes back a stale copy.
 */
export function useQueryParams(): [Record<string, string>, (next: QueryValues | ((now: Record<string, string>) => QueryValues)) => void] {
  const loc = useLocation();
  const params = Object.fromEntries(loc.query.entries());
  const set = useCallback(
    (next: QueryValues | ((now: Record<string, string>) => QueryValues)) => {
      const values = typeof next === 'function' ? next(currentQuery()) : next;
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(values)) if (v !== null && v !== undefined && v !== '' && v !== false) q.set(k, String(v));
      const s = q.toString();
      navigate(`${loc.path}${s ? `?${s}` : ''}`, { replace: true });
    },
    [loc.path],
  );
  return [params, set];
}

export function Link({ to, onClick, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  return (
    <a
      href={`#${to}`}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
      }}
      {...rest}
    />
  );
}
