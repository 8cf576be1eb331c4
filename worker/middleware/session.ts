/**
 * Browser sessions in the Worker: the cookie (opaque 256-bit value only; HttpOnly, SameSite=Lax,
 * Path=/, Secure and `__Host-` except on loopback http), the middleware that loads `c.var.session`
 * (one D1 read, only when the cookie is present), and signing in and out.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { systemClock } from '../../src/clock';
import { publishBackchannelLogout } from '../../src/oidc/backchannel-logout';
import { loadSession, SESSION_TTL_SECS, type SessionInfo, startSession } from '../../src/sign-in/session';
import type { UserRecord } from '../../src/storage/ports';
import type { AppEnv } from '../context';
import { executionContextOf, requestStorage } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { requestEvents } from './observability';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Cookies are Secure everywhere except plain http on a loopback host (local development). */
export function cookiesAreSecure(c: Context<AppEnv>): boolean {
  const url = new URL(c.req.url);
  return !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** `__Host-<name>` when Secure (pinned to this host and Path=/), plain `<name>` on loopback http. */
export function cookieName(c: Context<AppEnv>, name: string): string {
  return cookiesAreSecure(c) ? `__Host-${name}` : name;
}

/** The attributes of every cookie this server sets. */
export function cookieOptions(c: Context<AppEnv>, maxAgeSecs: number) {
  return {
    path: '/',
    httpOnly: true,
    secure: cookiesAreSecure(c),
    sameSite: 'Lax',
    maxAge: maxAgeSecs,
  } as const;
}

/** The signed-in user as the authorization and device flows take them, or null when nobody is signed in. */
export function signedInUser(
  c: Context<AppEnv>,
): Pick<SessionInfo, 'userId' | 'role' | 'authTime' | 'sid' | 'amr' | 'username'> | null {
  const session = c.get('session');
  return session
    ? {
        userId: session.userId,
        role: session.role,
        authTime: session.authTime,
        sid: session.sid,
        amr: session.amr,
        username: session.username,
      }
    : null;
}

function sessionCookieName(c: Context<AppEnv>): string {
  return cookieName(c, 'session');
}

/**
 * Loads the session named by the cookie into `c.var.session` (null when there is none, it expired,
 * or its user was deleted or disabled). A cookie that names no live session is cleared on the way
 * out, unless the route signed in meanwhile.
 */
export const sessionMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const value = getCookie(c, sessionCookieName(c));
  const session =
    value === undefined ? null : await loadSession(requestStorage(c), value, systemClock.nowSecs());
  c.set('session', session);
  await next();
  if (value !== undefined && session === null && c.get('session') === null) clearSessionCookie(c);
};

function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, sessionCookieName(c), { path: '/', secure: cookiesAreSecure(c) });
}

/**
 * Starts a new session for `user` with a new cookie value (never reusing the one the browser sent:
 * no fixation) and ends the previous session of this browser, if any. `amr` (RFC 8176) says how the
 * user signed in: `['pwd']` for the password form; nothing for a federated sign-in, whose upstream
 * methods this server cannot vouch for.
 */
export async function signIn(
  c: Context<AppEnv>,
  user: UserRecord,
  amr: readonly string[] = [],
): Promise<SessionInfo> {
  const storage = requestStorage(c);
  const now = systemClock.nowSecs();
  const started = await startSession(storage, user, now, amr);
  const previous = c.get('session');
  if (previous && (await storage.sessions.delete(previous.idHash))) {
    // The replaced session ended without a sign-out (same user or another one signing in): its
    // clients are told, as at sign-out (OIDC Back-Channel Logout).
    await publishBackchannelLogout(
      oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c)),
      { userId: previous.userId, sid: previous.sid },
      'session_replaced',
    );
  }
  setCookie(c, sessionCookieName(c), started.cookieValue, cookieOptions(c, SESSION_TTL_SECS));
  c.set('session', started.info);
  // Housekeeping off the response path: sign-ins are rare, the delete uses the expires_at index.
  const sweep = storage.sessions.deleteExpired(now).catch(() => 0);
  inBackground(c, sweep);
  return started.info;
}

/** Runs `work` after the response when the runtime allows (app.request in tests has no ExecutionContext). */
function inBackground(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No ExecutionContext: `work` still runs, nobody waits for it.
  }
}

/** Ends this browser's session at once (the record is deleted) and clears the cookie. */
export async function signOut(c: Context<AppEnv>): Promise<void> {
  const session = c.get('session');
  if (session) {
    await requestStorage(c).sessions.delete(session.idHash);
    // OIDC Back-Channel Logout: the clients that got tokens under this sid are told, through the queue.
    await publishBackchannelLogout(
      oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c)),
      { userId: session.userId, sid: session.sid },
      c.req.path === '/oauth/logout' ? 'rp_initiated_logout' : 'sign_out',
    );
    requestEvents(c).publish({
      type: 'user_logout',
      userId: session.userId,
      metadata: { via: c.req.path === '/oauth/logout' ? 'rp_initiated_logout' : 'sign_out' },
    });
  }
  c.set('session', null);
  if (getCookie(c, sessionCookieName(c)) !== undefined) clearSessionCookie(c);
}

export interface LoginRedirectOptions {
  /** `login`: show the form even to a signed-in user (OIDC prompt=login, max_age). */
  prompt?: 'login';
  /** Pre-fills the username (OIDC login_hint). */
  loginHint?: string;
  /** `mfa`: the application asks for a multi-factor sign-in (a step-up); the page says how to make one. */
  reason?: 'mfa';
}

/**
 * 302 to the sign-in page, which comes back to `returnTo` (a relative path such as
 * `/oauth/authorize?…`; anything unsafe is replaced by /profile on the way back).
 */
export function loginRedirect(
  c: Context<AppEnv>,
  returnTo: string,
  options: LoginRedirectOptions = {},
): Response {
  const query = new URLSearchParams({ return_to: returnTo });
  if (options.prompt) query.set('prompt', options.prompt);
  if (options.loginHint) query.set('login_hint', options.loginHint);
  if (options.reason) query.set('reason', options.reason);
  c.header('Cache-Control', 'no-store');
  return c.redirect(`/auth/login?${query}`, 302);
}
