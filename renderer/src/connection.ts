// Is the server there? In browser mode and on the office server (no window.api) a call that cannot reach the server
// (NETWORK, api.ts) or a live feed that drops (live.ts) makes the app ask auth.setupStatus — a cheap public channel —
// every 3 s, backing off to 10 s, until it answers; meanwhile AppLayout shows the offline banner. When the server
// answers again the banner goes, the live feed reconnects and what is on screen is refetched.
//
// Writes are NOT queued while offline: the dialog keeps what was typed on screen and refuses with a message
// (useApiWrite), and the user saves again once the banner is gone. A queue replayed later could apply, say, a
// check-in or a status change after someone else's edit of the same record without the clerk ever seeing it; saving
// by hand goes through the version check and, when someone was first, the conflict dialog.
import { useSyncExternalStore } from 'react';
import { api, ApiError, onNetworkFailure } from './api.ts';
import { queryClient } from './query.ts';

const FIRST_DELAY_MS = 3_000;
const MAX_DELAY_MS = 10_000;

let offline = false;
let delay = FIRST_DELAY_MS;
let timer: ReturnType<typeof setTimeout> | null = null;
let probing = false;
const watchers = new Set<() => void>();
const onlineListeners = new Set<() => void>();

function emit(): void {
  for (const w of watchers) w();
}

/** Whether this window talks to a server over the network (browser, office server) rather than Electron's own core. */
export function overNetwork(): boolean {
  return typeof window !== 'undefined' && !window.api;
}

function markOffline(): void {
  if (!overNetwork() || offline) return;
  offline = true;
  delay = FIRST_DELAY_MS;
  emit();
  schedule();
}

function markOnline(): void {
  if (!offline) return;
  offline = false;
  if (timer) clearTimeout(timer);
  timer = null;
  emit();
  for (const l of onlineListeners) l();
  // What failed while offline (and what changed meanwhile) is fetched again; only what is on screen refetches.
  void queryClient.invalidateQueries();
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = setTimeout(() => {
    timer = null;
    void probe().then((ok) => {
      if (ok || !offline) return;
      delay = Math.min(Math.round(delay * 1.5), MAX_DELAY_MS);
      schedule();
    });
  }, delay);
}

/** Asks the server once; true when it answered (any answer: a refusal comes from a server that is there). */
async function probe(): Promise<boolean> {
  if (probing) return false;
  probing = true;
  try {
    await api('auth.setupStatus');
    markOnline();
    return true;
  } catch (e) {
    const reached = !(e instanceof ApiError && e.code === 'NETWORK');
    if (reached) markOnline();
    else markOffline();
    return reached;
  } finally {
    probing = false;
  }
}

/** Checks at once whether the server answers (the live feed dropped): the banner shows if it does not. */
export function checkConnection(): Promise<boolean> {
  return offline ? Promise.resolve(false) : probe();
}

/** Calls `fn` each time the server answers again after being unreachable; returns the unsubscribe. */
export function onBackOnline(fn: () => void): () => void {
  onlineListeners.add(fn);
  return () => onlineListeners.delete(fn);
}

export function isOffline(): boolean {
  return offline;
}

/** The offline flag as React state (AppLayout's banner). */
export function useOffline(): boolean {
  return useSyncExternalStore(
    (w) => {
      watchers.add(w);
      return () => watchers.delete(w);
    },
    () => offline,
  );
}

onNetworkFailure(markOffline);
