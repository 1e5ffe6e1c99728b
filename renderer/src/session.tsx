// Who is logged in. Decides between 创建管理员账号 (first run), 登录 and the app, and sends the user back to 登录
// whenever the API answers UNAUTHENTICATED (idle timeout, password reset by an admin), showing why. Through the office
// server a browser that is not (or no longer) paired gets DEVICE_UNPAIRED on every call: then 配对 is shown instead.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Permission } from '../../electron/domain/actor.ts';
import { api, ApiError, errorMessage, messageText, onUnauthenticated, onUnpaired, type OutputOf } from './api.ts';
import { msg } from '../../electron/shared/messages/index.ts';
import { queryClient } from './query.ts';
import i18n from './i18n/index.ts';

export type Me = OutputOf<'auth.me'>;
export type Org = Me['org'];
export type SessionStatus = 'loading' | 'unpaired' | 'setup' | 'login' | 'ready' | 'error';

interface SessionValue {
  status: SessionStatus;
  me: Me | null;
  /** Why the user is looking at 登录 (idle timeout…) or 配对 (the device was revoked) again, shown above the form. */
  notice: string | null;
  /** Error while starting (no database answer). */
  startError: string | null;
  /** The subdistrict as known before login (setupStatus), for the login screen title. */
  org: Org | null;
  signedIn: (me: Me) => void;
  /** This browser was just paired with the office server: start again (登录, or 创建管理员账号 on a new database). */
  paired: () => void;
  logout: () => Promise<void>;
  can: (p: Permission | Permission[]) => boolean;
  retry: () => void;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const [org, setOrg] = useState<Org | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const s = await api('auth.setupStatus');
        if (!live) return;
        setOrg(s.org);
        if (s.needsSetup) return setStatus('setup');
        try {
          const m = await api('auth.me');
          if (!live) return;
          setMe(m);
          setStatus('ready');
        } catch (e) {
          if (!live) return;
          if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') setStatus('login');
          else throw e;
        }
      } catch (e) {
        if (!live) return;
        if (e instanceof ApiError && e.code === 'DEVICE_UNPAIRED') return setStatus('unpaired');
        setStartError(e instanceof ApiError ? errorMessage(e) : messageText(msg('common.startFailed')));
        setStatus('error');
      }
    })();
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(() => {
    onUnauthenticated((err, channel) => {
      if (channel === 'auth.login' || channel === 'auth.me' || channel === 'auth.setupStatus') return;
      setMe((prev) => {
        // Only a session that existed can end; show the server's reason (已超过 30 分钟未操作…), or say it ended
        // (password reset, account disabled, program restarted) when the server only knows there is no session.
        if (prev) setNotice(err.key === 'session.required' ? i18n.t('login.sessionEnded') : errorMessage(err));
        return null;
      });
      queryClient.clear();
      setStatus('login');
    });
    return () => onUnauthenticated(null);
  }, []);

  useEffect(() => {
    onUnpaired((err) => {
      // A revoked device is refused at once, even in the middle of a session: say so on 配对.
      setMe((prev) => {
        if (prev) setNotice(errorMessage(err));
        return null;
      });
      queryClient.clear();
      setStatus('unpaired');
    });
    return () => onUnpaired(null);
  }, []);

  const signedIn = useCallback((m: Me) => {
    queryClient.clear();
    setMe(m);
    setOrg(m.org);
    setNotice(null);
    setStatus('ready');
  }, []);

  const paired = useCallback(() => {
    setNotice(null);
    setStatus('loading');
    setAttempt((n) => n + 1);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api('auth.logout');
    } finally {
      queryClient.clear();
      setMe(null);
      setNotice(null);
      setStatus('login');
      window.location.hash = '#/';
    }
  }, []);

  const value = useMemo<SessionValue>(
    () => ({
      status,
      me,
      notice,
      startError,
      org,
      signedIn,
      paired,
      logout,
      can: (p) => {
        if (!me) return false;
        const list = Array.isArray(p) ? p : [p];
        return list.some((x) => me.permissions.includes(x));
      },
      retry: () => {
        setStatus('loading');
        setAttempt((n) => n + 1);
      },
    }),
    [status, me, notice, startError, org, signedIn, paired, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The logged-in user; only for components rendered inside the app shell. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}

/**
 * The one community a committee member works in, or null for a user of the whole subdistrict. Their lists are scoped
 * to it in the core (actor.ts scopeOf); the screens then show no community selector or column, which could only
 * offer that one community.
 */
export function useOwnCommunity(): number | null {
  const { actor } = useMe();
  return actor.role === 'committee' ? actor.communityId : null;
}
