/**
 * CSRF tokens for every POSTed form (hidden input `csrf_token`). Signed in, the token is
 * HMAC-SHA256(OAUTH2_SESSION_KEY, "session:" + sid): bound to the session, nothing stored. Before
 * sign-in (the login page) it is bound to a short-lived random `csrf` cookie (HttpOnly, SameSite=Lax,
 * `__Host-` when Secure): HMAC(key, "pre-session:" + cookie value). A cross-site page can neither read
 * the cookie nor compute the HMAC. Tokens are compared in constant time. JSON requests of a signed-in
 * browser send the same token in the X-CSRF-Token header (the admin API).
 */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { toBase64Url, utf8 } from '../../src/crypto/encoding';
import { constantTimeEqual } from '../../src/crypto/hash';
import { randomToken } from '../../src/crypto/random';
import type { FormParams } from '../../src/oauth/form';
import type { AppEnv } from '../context';
import { PageError } from '../http/pages';
import { cookieName, cookieOptions } from './session';

/** The name of the hidden form input. */
export const CSRF_FIELD = 'csrf_token';
/** How long a sign-in form stays valid without a session; renewed each time a form is rendered. */
export const CSRF_COOKIE_TTL_SECS = 2 * 60 * 60;

const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

async function mac(c: Context<AppEnv>, binding: string): Promise<string> {
  const key = await hmacKey(c.get('config').sessionKey);
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(`csrf:${binding}`))));
}

function csrfCookieName(c: Context<AppEnv>): string {
  return cookieName(c, 'csrf');
}

/** The token to put in a form's hidden `csrf_token` input. May set (or renew) the `csrf` cookie. */
export async function csrfToken(c: Context<AppEnv>): Promise<string> {
  const session = c.get('session');
  if (session) return mac(c, `session:${session.sid}`);
  const existing = getCookie(c, csrfCookieName(c));
  const value = existing !== undefined && COOKIE_VALUE.test(existing) ? existing : randomToken(32);
  setCookie(c, csrfCookieName(c), value, cookieOptions(c, CSRF_COOKIE_TTL_SECS));
  return mac(c, `pre-session:${value}`);
}

/**
 * The form was not sent by a page of this server (or it expired): 403 access_denied, the error page on a
 * browser route. `description` replaces the form's sentence for a script's call (the admin API).
 */
export class CsrfError extends PageError {
  constructor(
    description = 'The form has expired or did not come from this site. Go back, reload the page and try again.',
  ) {
    super(403, description, { title: 'Form expired', error: 'access_denied' });
  }
}

/** The header that carries the token on JSON requests of a signed-in browser (the admin API). */
export const CSRF_HEADER = 'X-CSRF-Token';

/** Throws CsrfError unless `form` carries a token bound to this browser's session or `csrf` cookie. */
export async function verifyCsrf(c: Context<AppEnv>, form: FormParams): Promise<void> {
  if (!(await csrfTokenMatches(c, form.get(CSRF_FIELD)))) throw new CsrfError();
}

/**
 * Whether `sent` (from the `csrf_token` field or the X-CSRF-Token header) is a token bound to this
 * browser's session or `csrf` cookie.
 */
export async function csrfTokenMatches(c: Context<AppEnv>, sent: string | undefined): Promise<boolean> {
  if (sent === undefined) return false;
  const expected: string[] = [];
  const session = c.get('session');
  if (session) expected.push(await mac(c, `session:${session.sid}`));
  const cookie = getCookie(c, csrfCookieName(c));
  if (cookie !== undefined && COOKIE_VALUE.test(cookie)) expected.push(await mac(c, `pre-session:${cookie}`));
  // Every candidate is compared (no early exit), so timing reveals nothing about which one matched.
  const matches = expected.map((token) => constantTimeEqual(sent, token));
  return matches.includes(true);
}
