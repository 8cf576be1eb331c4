/**
 * GET/POST /auth/login and POST /auth/logout: password sign-in with server-side sessions. POST
 * /auth/login is a pipeline: strict form -> CSRF -> throttle (the attempt reserved per username and
 * address, per address and per username; see src/sign-in/login-throttle.ts) -> credentials (generic
 * failure, same work for unknown users) -> new session -> 303.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { systemClock } from '../../src/clock';
import { AuthorizationPageError } from '../../src/oauth/authorize/redirect';
import { MethodNotAllowedError } from '../../src/oauth/errors';
import { type FormParams, parseForm } from '../../src/oauth/form';
import { resolvePushedRequest } from '../../src/oauth/par';
import { recordRateLimitRejected } from '../../src/observability';
import { checkCredentials } from '../../src/sign-in/login';
import { throttleKeys } from '../../src/sign-in/login-throttle';
import { hasConfirmedTotp } from '../../src/sign-in/mfa/totp-factor';
import { safeReturnPath } from '../../src/sign-in/return-to';
import { ensureSeedAdmin } from '../../src/users/seed';
import { type ClientIdentity, clientIdentity } from '../../templates/client-identity';
import { LoginPage } from '../../templates/login';
import type { AppEnv } from '../context';
import { clientIp } from '../http/client-ip';
import { completeSignIn } from '../http/complete-sign-in';
import { pageNonce, renderPage } from '../http/pages';
import { strictQuery } from '../http/query';
import { readForm } from '../middleware/body';
import { csrfToken, verifyCsrf } from '../middleware/csrf';
import { requestEvents } from '../middleware/observability';
import { signOut } from '../middleware/session';
import { loginThrottle } from '../wiring/login-throttle';
import { executionContextOf, requestStorage } from '../wiring/request-storage';
import { denylistCache, oauthContext } from '../wiring/services';
import { askForSecondFactor } from './mfa-sign-in';
import { upstreamLoginView } from './upstream';

export const LOGIN_PATH = '/auth/login';
export const LOGOUT_PATH = '/auth/logout';

/** The one message for an unknown user, a wrong password and a disabled account. */
export const INVALID_CREDENTIALS = 'Invalid username or password.';
export const TOO_MANY_ATTEMPTS = 'Too many failed sign-in attempts. Wait a few minutes and try again.';
const MISSING_CREDENTIALS = 'Enter your username and password.';

interface LoginFormState {
  returnTo: string;
  username: string;
  error: string | null;
  /** Shown above the form: why this sign-in is asked for. */
  notice?: string | null;
  status?: ContentfulStatusCode;
}

/** The sign-in page of a step-up (`reason=mfa`): a second factor is what the application asks for. */
const STEP_UP_NOTICE =
  'This application asks for a two-step sign-in: use your passkey, or your password and then the code of your authenticator app.';

/** Where /oauth/authorize sends the browser to sign in: back to this path (see worker/routes/authorize.ts). */
const AUTHORIZE_RETURN_PATH = '/oauth/authorize';

/**
 * The application a sign-in continues to, for display only: `returnTo` (already a safe relative path)
 * must be /oauth/authorize naming a `client_id` and a `request_uri` of an authorization request this
 * server holds for that very client (as /oauth/authorize sends the browser here), and the client must
 * exist and be enabled. Anything else (a hand-made return_to, an expired request) names no application.
 */
async function signInClient(c: Context<AppEnv>, returnTo: string): Promise<ClientIdentity | null> {
  const url = URL.parse(returnTo, 'https://return-to.invalid');
  if (url === null || url.pathname !== AUTHORIZE_RETURN_PATH) return null;
  let params: FormParams;
  try {
    params = parseForm(url.search.slice(1));
  } catch {
    return null;
  }
  const clientId = params.get('client_id');
  if (clientId === undefined || clientId.length === 0 || clientId.length > 255) return null;
  if (!params.has('request_uri')) return null;
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  try {
    // Read only (peeked, not used up): throws unless the request is held, unused and this client's.
    await resolvePushedRequest(ctx, clientId, params);
    const client = await ctx.clients.get(clientId);
    return client?.enabled ? clientIdentity(client) : null;
  } catch (error) {
    if (error instanceof AuthorizationPageError) return null;
    // Naming the application is a courtesy: the sign-in itself must not fail for it.
    console.warn(
      JSON.stringify({ level: 'warn', msg: 'sign-in page: client not resolved', error: String(error) }),
    );
    return null;
  }
}

async function renderLogin(c: Context<AppEnv>, state: LoginFormState): Promise<Response> {
  const client = await signInClient(c, state.returnTo);
  const page = LoginPage({
    nonce: pageNonce(c),
    csrfToken: await csrfToken(c),
    returnTo: state.returnTo,
    username: state.username.slice(0, 256),
    error: state.error,
    notice: state.notice ?? null,
    providers: upstreamLoginView(c, new Map()).providers,
    client,
  });
  // The sign-in POST may continue (via return_to) to a redirect to a client's redirect_uri; the
  // application's logo (an https URL) is the only image from elsewhere. The passkey button runs
  // /auth/passkeys.js (by the page nonce).
  return renderPage(c, page, state.status ?? 200, {
    redirectsToClient: true,
    clientImages: client?.logoUri != null,
    scripts: true,
  });
}

async function showLogin(c: Context<AppEnv>): Promise<Response> {
  const query = strictQuery(c);
  const returnTo = safeReturnPath(query.get('return_to'));
  if (c.get('session') && query.get('prompt') !== 'login') {
    c.header('Cache-Control', 'no-store');
    return c.redirect(returnTo, 302);
  }
  // A failed upstream sign-in comes back here with its reason (src/sign-in/upstream, worker/routes/upstream.ts).
  const { error } = upstreamLoginView(c, query);
  const notice = query.get('reason') === 'mfa' ? STEP_UP_NOTICE : null;
  return renderLogin(c, { returnTo, username: query.get('login_hint') ?? '', error, notice });
}

async function submitLogin(c: Context<AppEnv>): Promise<Response> {
  const form = await readForm(c.req.raw);
  await verifyCsrf(c, form);
  const returnTo = safeReturnPath(form.get('return_to'));
  const username = form.get('username') ?? '';
  const password = form.get('password') ?? '';
  if (username === '' || password === '') {
    return renderLogin(c, { returnTo, username, error: MISSING_CREDENTIALS, status: 400 });
  }

  const storage = requestStorage(c);
  const throttle = loginThrottle(c.env);
  const keys = throttleKeys(clientIp(c.req.raw), username);
  // Reserved before the password is hashed: concurrent guesses cannot all get past the count.
  const attempt = await throttle.reserve([keys.ipUser, keys.ip, keys.user]);
  if (!attempt.granted) {
    requestEvents(c).publish({
      type: 'user_authentication_failed',
      severity: 'warning',
      metadata: { method: 'password', reason: 'throttled', ip: clientIp(c.req.raw) },
    });
    recordRateLimitRejected('login');
    c.header('Retry-After', String(attempt.retryAfterSecs));
    return renderLogin(c, { returnTo, username, error: TOO_MANY_ATTEMPTS, status: 429 });
  }

  await ensureSeedAdmin(storage, c.get('config'), systemClock.nowSecs);
  const user = await checkCredentials(storage, username, password, systemClock.nowSecs());
  // A denylisted user (by id, username or e-mail) gets the answer of a wrong password.
  const denied =
    user !== null &&
    (await denylistCache(c.env, c.get('config')).get()).matchUser(user, systemClock.nowSecs());
  if (user === null || denied) {
    // The username is left out: people type passwords into that field. The reservation stays: a failure.
    requestEvents(c).publish({
      type: 'user_authentication_failed',
      severity: 'warning',
      userId: denied ? user.id : null,
      metadata: {
        method: 'password',
        reason: denied ? 'denied' : 'invalid_credentials',
        ip: clientIp(c.req.raw),
      },
    });
    return renderLogin(c, { returnTo, username, error: INVALID_CREDENTIALS, status: 401 });
  }
  // Only this address's typos are forgiven: failures others caused on the username and address stay.
  await Promise.all([throttle.release(attempt), throttle.reset(keys.ipUser)]);
  // RFC 8176 §2: `pwd`, password-based authentication; a user with an authenticator app is not signed in yet.
  if (await hasConfirmedTotp(storage, user.id)) return askForSecondFactor(c, user, ['pwd'], returnTo);
  return completeSignIn(c, user, ['pwd'], returnTo);
}

async function submitLogout(c: Context<AppEnv>): Promise<Response> {
  const form = await readForm(c.req.raw);
  const next = safeReturnPath(form.get('return_to'), LOGIN_PATH);
  // Without a session there is nothing to end (and no session-bound token to check).
  if (c.get('session')) {
    await verifyCsrf(c, form);
    await signOut(c);
  }
  c.header('Cache-Control', 'no-store');
  return c.redirect(next, 303);
}

export function registerAuthRoutes(app: Hono<AppEnv>): void {
  app.get(LOGIN_PATH, showLogin);
  app.post(LOGIN_PATH, submitLogin);
  app.post(LOGOUT_PATH, submitLogout);
  app.on(['PUT', 'PATCH', 'DELETE'], LOGIN_PATH, () => {
    throw new MethodNotAllowedError('GET, POST');
  });
  app.on(['GET', 'PUT', 'PATCH', 'DELETE'], LOGOUT_PATH, () => {
    throw new MethodNotAllowedError('POST');
  });
}
