import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { accountApi, type Me } from '../api/account.js';
import { SESSION_EXPIRED_EVENT } from '../api/http.js';

/**
 * Who is signed in, read from the server (`/auth/me`) rather than kept in the browser: the
 * session cookie is httpOnly, so the server is the only one that knows. A 401 anywhere (the
 * session expired or was revoked from another device) drops the person back to sign-in with a
 * message saying why.
 */

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: 'expired' | 'signed-out' }
  | { status: 'pending-mfa'; me: Me }
  | { status: 'signed-in'; me: Me };

interface SessionContextValue {
  state: SessionState;
  /** Reads `/auth/me` again (after sign-in steps or account changes). */
  refresh: () => Promise<SessionState>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

async function load(): Promise<SessionState> {
  try {
    const me = await accountApi.me();
    return me.session.complete ? { status: 'signed-in', me } : { status: 'pending-mfa', me };
  } catch {
    return { status: 'signed-out' };
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    const next = await load();
    setState(next);
    return next;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await accountApi.logout();
    } finally {
      setState({ status: 'signed-out', reason: 'signed-out' });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    const expired = () => setState((s) => (s.status === 'signed-in' ? { status: 'signed-out', reason: 'expired' } : s));
    window.addEventListener(SESSION_EXPIRED_EVENT, expired);
    return () => window.removeEventListener(SESSION_EXPIRED_EVENT, expired);
  }, []);

  // The session ends at its expiry even if the person is idle on one screen.
  const expiresAt = state.status === 'signed-in' ? state.me.session.expiresAt : undefined;
  useEffect(() => {
    if (!expiresAt) return;
    const ms = Date.parse(expiresAt) - Date.now();
    if (!(ms > 0)) return;
    const timer = window.setTimeout(() => setState({ status: 'signed-out', reason: 'expired' }), Math.min(ms, 2 ** 31 - 1));
    return () => window.clearTimeout(timer);
  }, [expiresAt]);

  const value = useMemo(() => ({ state, refresh, signOut }), [state, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in person; only for screens behind `RequireSession`. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useMe needs a signed-in session');
  return state.me;
}
