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

function subscribe(fn: () => void): () => void {
  window.addEventListener('hashchange', fn);
  return () => window.removeEventListener('hashchange', fn);
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
}

/** The current query string as a plain object, and a setter that replaces it (keeps the path). */
export function useQueryParams(): [Record<string, string>, (next: Record<string, string | number | boolean | null | undefined>) => void] {
  const loc = useLocation();
  const params = Object.fromEntries(loc.query.entries());
  const set = useCallback(
    (next: Record<string, string | number | boolean | null | undefined>) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(next)) if (v !== null && v !== undefined && v !== '' && v !== false) q.set(k, String(v));
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
