/**
 * GET/POST /auth/mfa: the second step of a password sign-in for a user with an authenticator app. The
 * password route hands over through `askForSecondFactor` (a sealed, 5-minute pending sign-in in a
 * cookie; see src/sign-in/mfa/pending-sign-in.ts). POST is a pipeline: CSRF -> pending sign-in ->
 * throttle (the login throttle's keys) -> code (TOTP step or recovery code, each once) -> nonce claimed
 * once -> completeSignIn with amr pwd, otp, mfa. Until then the browser is not signed in.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { systemClock } from '../../src/clock';
import { MethodNotAllowedError } from '../../src/oauth/errors';
import { recordRateLimitRejected } from '../../src/observability';
import { throttleKeys } from '../../src/sign-in/login-throttle';
import {
  openPendingSignIn,
  PENDING_SIGN_IN_REPLAY_NAMESPACE,
  PENDING_SIGN_IN_TTL_SECS,
  type PendingSignIn,
  sealPendingSignIn,
} from '../../src/sign-in/mfa/pending-sign-in';
import { checkSecondFactor } from '../../src/sign-in/mfa/totp-factor';
import type { UserRecord } from '../../src/storage/ports';
import { MfaCodePage } from '../../templates/mfa-code';
import type { AppEnv } from '../context';
import { clientIp } from '../http/client-ip';
import { completeSignIn } from '../http/complete-sign-in';
import { pageNonce, renderPage } from '../http/pages';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { requestEvents } from '../middleware/observability';
import { cookieName, cookieOptions, cookiesAreSecure, loginRedirect } from '../middleware/session';
import { loginThrottle } from '../wiring/login-throttle';
import { executionContextOf, requestStorage } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';

export const MFA_CODE_PATH = '/auth/mfa';
const WRONG_CODE = 'That code is not right, or was used already. Try the next code your app shows.';
const TOO_MANY_CODES = 'Too many wrong codes. Wait a few minutes and try again.';

const pendingCookie = (c: Context<AppEnv>) => cookieName(c, 'mfa_pending');

function renderCodePage(
  c: Context<AppEnv>,
  csrf: string,
  error: string | null,
  status: ContentfulStatusCode,
) {
  const page = MfaCodePage({ nonce: pageNonce(c), csrfToken: csrf, action: MFA_CODE_PATH, error });
  // A right code ends in a redirect to the client (through /oauth/authorize): no form-action.
  return renderPage(c, page, status, { redirectsToClient: true });
}

/**
 * After a right password, for a user with an authenticator app: keeps the half-done sign-in in a sealed
 * cookie and shows the code page. Nothing is signed in yet.
 */
export async function askForSecondFactor(
  c: Context<AppEnv>,
  user: UserRecord,
  amr: string[],
  returnTo: string,
): Promise<Response> {
  const { sealed } = await sealPendingSignIn(
    c.get('config').sessionKey,
    { userId: user.id, returnTo, amr },
    systemClock.nowSecs(),
  );
  setCookie(c, pendingCookie(c), sealed, cookieOptions(c, PENDING_SIGN_IN_TTL_SECS));
  return renderCodePage(c, await csrfToken(c), null, 200);
}

/** The pending sign-in of this browser and its user (still existing and enabled), or null. */
async function pendingUser(c: Context<AppEnv>): Promise<{ pending: PendingSignIn; user: UserRecord } | null> {
  const now = systemClock.nowSecs();
  const pending = await openPendingSignIn(c.get('config').sessionKey, getCookie(c, pendingCookie(c)), now);
  if (pending === null) return null;
  const user = await requestStorage(c).users.getById(pending.userId);
  return user?.enabled ? { pending, user } : null;
}

/** The pending sign-in expired, was used, or never was: sign in from the start (back to `returnTo`). */
function restartSignIn(c: Context<AppEnv>, returnTo = '/profile'): Response {
  deleteCookie(c, pendingCookie(c), { path: '/', secure: cookiesAreSecure(c) });
  return loginRedirect(c, returnTo);
}

async function showCodePage(c: Context<AppEnv>): Promise<Response> {
  if ((await pendingUser(c)) === null) return restartSignIn(c);
  return renderCodePage(c, await csrfToken(c), null, 200);
}

function publishFailure(c: Context<AppEnv>, userId: string, reason: string): void {
  requestEvents(c).publish({
    type: 'mfa_failed',
    severity: 'warning',
    userId,
    metadata: { factor: 'totp', reason, ip: clientIp(c.req.raw) },
  });
}

async function submitCode(c: Context<AppEnv>): Promise<Response> {
  const form = await readForm(c.req.raw);
  await verifyCsrf(c, form);
  const found = await pendingUser(c);
  if (found === null) return restartSignIn(c);
  const { pending, user } = found;
  const csrf = await csrfToken(c);

  const throttle = loginThrottle(c.env);
  const keys = throttleKeys(clientIp(c.req.raw), user.username);
  const attempt = await throttle.reserve([keys.ipUser, keys.ip, keys.user]);
  if (!attempt.granted) {
    publishFailure(c, user.id, 'throttled');
    recordRateLimitRejected('login');
    c.header('Retry-After', String(attempt.retryAfterSecs));
    return renderCodePage(c, csrf, TOO_MANY_CODES, 429);
  }
  const now = systemClock.nowSecs();
  const config = c.get('config');
  const used = await checkSecondFactor(
    requestStorage(c),
    config.keyEncryptionKey,
    user.id,
    form.get('code') ?? '',
    now,
  );
  if (used === null) {
    // The reservation stays: a failure.
    publishFailure(c, user.id, 'invalid_code');
    return renderCodePage(c, csrf, WRONG_CODE, 401);
  }
  // The pending sign-in completes once, whatever a copy of its cookie is replayed with.
  const ctx = oauthContext(c.env, config, c.req.url, executionContextOf(c));
  if (!(await ctx.replay.claim(PENDING_SIGN_IN_REPLAY_NAMESPACE, pending.nonce, pending.expiresAt))) {
    return restartSignIn(c, pending.returnTo);
  }
  await Promise.all([throttle.release(attempt), throttle.reset(keys.ipUser)]);
  deleteCookie(c, pendingCookie(c), { path: '/', secure: cookiesAreSecure(c) });
  // RFC 8176 §2: `otp` (a one-time code: the app's or a recovery code) and `mfa`.
  const amr = [...new Set([...pending.amr, 'otp', 'mfa'])];
  return completeSignIn(c, user, amr, pending.returnTo);
}

export function registerMfaSignInRoutes(app: Hono<AppEnv>): void {
  app.get(MFA_CODE_PATH, showCodePage);
  app.post(MFA_CODE_PATH, submitCode);
  app.on(['PUT', 'PATCH', 'DELETE'], MFA_CODE_PATH, () => {
    throw new MethodNotAllowedError('GET, POST');
  });
}
