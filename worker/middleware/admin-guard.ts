/**
 * AdminGuard on `/admin` and `/admin/*` (contracts.md, "Bootstrap and admin access"), in order:
 * 1. A Bearer access token: it must be live (401 invalid_token with the RFC 6750 challenge otherwise)
 *    and carry scope `admin` (403 insufficient_scope), whatever its audience. A user's token also needs its
 *    user to be enabled (401) and still an administrator (403), so demoting someone takes effect before
 *    their token expires.
 * 2. A signed-in session (loaded for browser paths): its user must have role `admin` or a verified e-mail
 *    in OAUTH2_ADMIN_EMAILS; any other signed-in user is sent to /profile (302). Every unsafe method
 *    (POST, PUT, PATCH, DELETE) must carry the session's CSRF token, in the X-CSRF-Token header or, for
 *    a form post, the `csrf_token` field; Bearer calls need none (a cross-site page cannot send the header).
 *    With OAUTH2_MFA_REQUIRED_FOR_ADMINS, an administrator without a second factor on record is sent to
 *    /profile/security to add one (an API call with the session cookie gets 403 access_denied).
 * 3. Nobody: a browser (Accept text/html, or a page path outside /admin/api) is sent to the sign-in page,
 *    which comes back here; an API call gets 401 with a Bearer challenge.
 * On success `c.var.admin` names the actor for the audit log.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AdminActor } from '../../src/admin/context';
import { constantTimeEqual } from '../../src/crypto/hash';
import { AccessDeniedError, MissingBearerError } from '../../src/oauth/errors';
import { isAdministrator, requireAdministration } from '../../src/oauth/scopes/admin-scope';
import { readBearer, requireAccessToken } from '../../src/oauth/tokens/bearer';
import type { AppEnv } from '../context';
import { executionContextOf, requestStorage } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { readForm } from './body';
import { CSRF_FIELD, CSRF_HEADER, CsrfError, csrfToken } from './csrf';
import { acceptsHtml, isAdminApiPath } from './errors';
import { loginRedirect } from './session';

/** Where a signed-in user who is not an administrator is sent. */
export const NON_ADMIN_REDIRECT = '/profile';
/** Where an administrator without a second factor is sent (OAUTH2_MFA_REQUIRED_FOR_ADMINS). */
export const MFA_SETUP_REDIRECT = '/profile/security?required=admin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;

export const adminGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readBearer(c.req.header('authorization'));
  if (token !== null) {
    c.set('admin', await bearerAdmin(c, token));
    return next();
  }
  const session = c.get('session');
  if (session === null) {
    if (wantsPage(c)) return loginRedirect(c, `${c.req.path}${new URL(c.req.url).search}`);
    throw new MissingBearerError();
  }
  if (!isAdministrator(session, c.get('config'))) {
    c.header('Cache-Control', 'no-store');
    return c.redirect(NON_ADMIN_REDIRECT, 302);
  }
  if (
    c.get('config').mfaRequiredForAdmins &&
    !(await requestStorage(c).mfa.hasSecondFactor(session.userId))
  ) {
    if (!wantsPage(c)) throw new AccessDeniedError('administrators must have a second factor (docs/mfa.md)');
    c.header('Cache-Control', 'no-store');
    return c.redirect(MFA_SETUP_REDIRECT, 302);
  }
  if (!SAFE_METHODS.has(c.req.method)) await checkCsrf(c);
  c.set('admin', {
    actorId: session.userId,
    actorType: 'user',
    via: 'session',
    username: session.username,
    clientId: null,
  });
  return next();
};

/** An anonymous visitor of an admin page, or a browser navigating to the API, is sent to sign in. */
function wantsPage(c: Context<AppEnv>): boolean {
  return !isAdminApiPath(c.req.path) || acceptsHtml(c);
}

async function bearerAdmin(c: Context<AppEnv>, token: string): Promise<AdminActor> {
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  // Whatever the token's audience: an /mcp token administers only with scope admin, like any other.
  const info = await requireAccessToken(ctx, token);
  const subject = await requireAdministration(ctx, info);
  if (subject.kind === 'client') {
    return {
      actorId: subject.clientId,
      actorType: 'client',
      via: 'bearer',
      username: null,
      clientId: subject.clientId,
    };
  }
  return {
    actorId: subject.user.id,
    actorType: 'user',
    via: 'bearer',
    username: subject.user.username,
    clientId: info.clientId,
  };
}

/** The session's CSRF token from the header, or from the form field of a form post (read from a copy). */
async function checkCsrf(c: Context<AppEnv>): Promise<void> {
  let sent = c.req.header(CSRF_HEADER);
  const form = sent === undefined && FORM_TYPE.test(c.req.header('content-type') ?? '');
  if (form) sent = (await readForm(c.req.raw.clone())).get(CSRF_FIELD);
  const expected = await csrfToken(c);
  if (sent !== undefined && constantTimeEqual(sent, expected)) return;
  // A form says the form expired; a script's call (JSON, or no body) is told where the token goes.
  throw form
    ? new CsrfError()
    : new CsrfError(`a session-authenticated change needs the session's CSRF token in ${CSRF_HEADER}`);
}
