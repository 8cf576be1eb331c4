/**
 * Passkeys (WebAuthn Level 2, discoverable credentials): JSON endpoints for `/auth/passkeys.js`.
 * - Registration, for a signed-in user within RECENT_SIGN_IN_SECS of signing in: options (excluding the
 *   user's passkeys), then the attestation -> stored passkey, event `mfa_enrolled`.
 * - Authentication on the login page: options (no allowCredentials), then the assertion -> the sign-in
 *   goes on as the password form's would (completeSignIn), answered as `{ redirect }` for the script.
 * Every POST carries the page's CSRF token in X-CSRF-Token. Challenges are single-use and live 5 minutes
 * in the AuthActor their id names (src/sign-in/passkeys/challenges.ts). Failed sign-ins count against
 * the client address like wrong passwords; one generic answer whatever failed.
 */
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { systemClock } from '../../src/clock';
import { sha256 } from '../../src/crypto/hash';
import { newRequestId } from '../../src/crypto/sharded-id';
import { recordRateLimitRejected } from '../../src/observability';
import { throttleKeys } from '../../src/sign-in/login-throttle';
import {
  authenticationOptions,
  CHALLENGE_TTL_SECS,
  encodeChallenge,
  type PasskeyChallenge,
  PasskeyRefusedError,
  type RelyingParty,
  registrationOptions,
  relyingParty,
  signedChallengeId,
  transportsOf,
  verifyAssertion,
  verifyRegistration,
} from '../../src/sign-in/passkeys';
import { safeReturnPath } from '../../src/sign-in/return-to';
import type { SessionInfo } from '../../src/sign-in/session';
import type { UserRecord } from '../../src/storage/ports';
import { PASSKEYS_SCRIPT_SRC } from '../../templates/passkey-script';
import { PASSKEYS_SCRIPT } from '../assets/passkeys-script';
import type { AppEnv } from '../context';
import { clientIp } from '../http/client-ip';
import { completeSignIn, recentlySignedIn } from '../http/complete-sign-in';
import { PageError } from '../http/pages';
import { CSRF_HEADER, CsrfError, csrfTokenMatches } from '../middleware/csrf';
import { requestEvents } from '../middleware/observability';
import { loginThrottle } from '../wiring/login-throttle';
import { requestStorage } from '../wiring/request-storage';
import { denylistCache, issuerFor, passkeyChallenges } from '../wiring/services';
import {
  type AuthenticationResponseSchema,
  authenticationOptionsRoute,
  authenticationRoute,
  type RegistrationResponseSchema,
  registrationOptionsRoute,
  registrationRoute,
} from './passkeys-api';
import { answer } from './schemas';

const SIGN_IN_AGAIN = 'Sign in again to add a passkey: passkeys are added within 5 minutes of signing in.';
/** The one answer to a failed passkey sign-in: it never says whether the passkey is known. */
const NOT_SIGNED_IN = 'That passkey did not sign you in.';
const NOT_REGISTERED = 'The passkey could not be verified. Try again.';
const TOO_MANY_ATTEMPTS = 'Too many failed sign-in attempts. Wait a few minutes and try again.';

/** The answer to every JSON route here: nothing is cached. */
function noStore(c: Context<AppEnv>): void {
  c.header('Cache-Control', 'no-store');
}

async function requireCsrf(c: Context<AppEnv>): Promise<void> {
  if (!(await csrfTokenMatches(c, c.req.header(CSRF_HEADER)))) {
    throw new CsrfError(`send the page's CSRF token in ${CSRF_HEADER}`);
  }
}

/** The signed-in user, when the sign-in is recent enough to add a factor; 401 login_required otherwise. */
function recentSession(c: Context<AppEnv>): SessionInfo {
  const session = c.get('session');
  if (!session || !recentlySignedIn(session, systemClock.nowSecs())) {
    throw new PageError(401, SIGN_IN_AGAIN, { error: 'login_required' });
  }
  return session;
}

function relyingPartyOf(c: Context<AppEnv>): RelyingParty {
  return relyingParty(issuerFor(c.get('config'), c.req.url));
}

/** Issues a challenge for `userId`'s ceremony; answers the id the browser will sign. */
async function issueChallenge(
  c: Context<AppEnv>,
  ceremony: PasskeyChallenge['ceremony'],
  userId: string | null,
) {
  const config = c.get('config');
  // Shaped like the AuthActor's other ids (shard + 128 random bits), so the id names its actor.
  const id = newRequestId(config.tokenActorShards);
  const expiresAt = systemClock.nowSecs() + CHALLENGE_TTL_SECS;
  await passkeyChallenges(c.env, config).saveChallenge(id, { ceremony, userId, expiresAt });
  return id;
}

/** Takes (uses up) the challenge a response signed, if it was issued for this ceremony and user. */
async function takeChallenge(
  c: Context<AppEnv>,
  clientDataJSON: string,
  ceremony: PasskeyChallenge['ceremony'],
  userId: string | null,
): Promise<string> {
  const id = signedChallengeId(clientDataJSON);
  const taken = id === null ? null : await passkeyChallenges(c.env, c.get('config')).takeChallenge(id);
  if (id === null || taken === null || taken.ceremony !== ceremony || taken.userId !== userId) {
    throw new PasskeyRefusedError('unknown_challenge', 'the challenge is unknown, used or expired');
  }
  return encodeChallenge(id);
}

async function startRegistration(c: Context<AppEnv>) {
  await requireCsrf(c);
  const session = recentSession(c);
  const existing = await requestStorage(c).mfa.listPasskeys(session.userId);
  const id = await issueChallenge(c, 'registration', session.userId);
  const account = { id: session.userId, username: session.username, name: session.name };
  noStore(c);
  return c.json(await registrationOptions(relyingPartyOf(c), account, existing, id), 200);
}

async function finishRegistration(c: Context<AppEnv>, response: z.output<typeof RegistrationResponseSchema>) {
  await requireCsrf(c);
  const session = recentSession(c);
  const now = systemClock.nowSecs();
  let passkey: Awaited<ReturnType<typeof verifyRegistration>>;
  try {
    const challenge = await takeChallenge(
      c,
      response.response.clientDataJSON,
      'registration',
      session.userId,
    );
    // Transports a browser names that WebAuthn does not (yet) are dropped, not refused.
    const transports = transportsOf(response.response.transports ?? []);
    passkey = await verifyRegistration(
      { ...response, response: { ...response.response, transports } },
      {
        rp: relyingPartyOf(c),
        challenge,
        userId: session.userId,
        now,
      },
    );
  } catch (error) {
    if (!(error instanceof PasskeyRefusedError)) throw error;
    logRefusal('registration', error);
    throw new PageError(400, NOT_REGISTERED);
  }
  await requestStorage(c).mfa.addPasskey(passkey);
  requestEvents(c).publish({
    type: 'mfa_enrolled',
    userId: session.userId,
    metadata: { factor: 'passkey', device_type: passkey.deviceType },
  });
  noStore(c);
  return c.json({ name: passkey.name, credential_id: passkey.credentialId }, 201);
}

async function startAuthentication(c: Context<AppEnv>) {
  await requireCsrf(c);
  const id = await issueChallenge(c, 'authentication', null);
  noStore(c);
  return c.json(await authenticationOptions(relyingPartyOf(c), id), 200);
}

async function finishAuthentication(
  c: Context<AppEnv>,
  response: z.output<typeof AuthenticationResponseSchema>,
): Promise<Response> {
  await requireCsrf(c);
  const throttle = loginThrottle(c.env);
  // Passkeys name no username until verified: failures count per client address, as wrong passwords do.
  const addressKey = throttleKeys(clientIp(c.req.raw), '').ip;
  const attempt = await throttle.reserve([addressKey]);
  if (!attempt.granted) {
    publishFailure(c, null, 'throttled');
    recordRateLimitRejected('login');
    throw new PageError(429, TOO_MANY_ATTEMPTS, {
      error: 'too_many_requests',
      headers: { 'Retry-After': String(attempt.retryAfterSecs) },
    });
  }
  const user = await verifiedUser(c, response);
  await throttle.release(attempt);
  const returnTo = safeReturnPath(response.return_to);
  return redirectAsJson(await completeSignIn(c, user.record, user.amr, returnTo));
}

/**
 * The enabled, not denylisted user whose passkey signed this response; on any failure the generic
 * 401 (the reservation stays: a failed attempt), with an event naming the reason.
 */
async function verifiedUser(
  c: Context<AppEnv>,
  response: z.output<typeof AuthenticationResponseSchema>,
): Promise<{ record: UserRecord; amr: string[] }> {
  const storage = requestStorage(c);
  let userId: string | null = null;
  try {
    const challenge = await takeChallenge(c, response.response.clientDataJSON, 'authentication', null);
    const passkey = await storage.mfa.getPasskey(response.id);
    if (passkey === null) throw new PasskeyRefusedError('unknown_credential', 'no passkey has this id');
    userId = passkey.userId;
    const verified = await verifyAssertion(response, passkey, { rp: relyingPartyOf(c), challenge });
    const now = systemClock.nowSecs();
    const user = await storage.users.getById(passkey.userId);
    const denied =
      user !== null && (await denylistCache(c.env, c.get('config')).get()).matchUser(user, now) !== null;
    if (user === null || !user.enabled || denied) {
      publishFailure(c, userId, denied ? 'denied' : 'disabled');
      throw new PageError(401, NOT_SIGNED_IN, { error: 'access_denied' });
    }
    await storage.mfa.touchPasskey(passkey.credentialId, verified.signCount, now);
    return { record: user, amr: verified.amr };
  } catch (error) {
    if (!(error instanceof PasskeyRefusedError)) throw error;
    logRefusal('authentication', error);
    if (userId !== null) {
      requestEvents(c).publish({
        type: 'mfa_failed',
        severity: 'warning',
        userId,
        metadata: { factor: 'passkey', reason: error.reason, ip: clientIp(c.req.raw) },
      });
    } else {
      publishFailure(c, null, error.reason);
    }
    throw new PageError(401, NOT_SIGNED_IN, { error: 'access_denied' });
  }
}

function publishFailure(c: Context<AppEnv>, userId: string | null, reason: string): void {
  requestEvents(c).publish({
    type: 'user_authentication_failed',
    severity: 'warning',
    userId,
    metadata: { method: 'passkey', reason, ip: clientIp(c.req.raw) },
  });
}

/** A refused ceremony, for operators: the reason and the verifier's words, never the credential. */
function logRefusal(ceremony: string, error: PasskeyRefusedError): void {
  console.warn(
    JSON.stringify({
      level: 'warn',
      msg: `passkey ${ceremony} refused`,
      reason: error.reason,
      detail: error.message,
    }),
  );
}

/**
 * A fetch caller cannot follow a sign-in's 303 itself: the same answer (its cookies and headers) as
 * 200 JSON `{ redirect }` naming the Location, which the script navigates to.
 */
export function redirectAsJson(response: Response): Response {
  const location = response.headers.get('Location');
  if (location === null || response.status < 300 || response.status > 399) return response;
  const headers = new Headers(response.headers);
  headers.delete('Location');
  headers.set('Content-Type', 'application/json');
  headers.set('Cache-Control', 'no-store');
  return new Response(JSON.stringify({ redirect: location }), { status: 200, headers });
}

let scriptEtag: Promise<string> | undefined;

/** GET /auth/passkeys.js: the browser side, cached a day by browsers and revalidated by its ETag. */
async function serveScript(c: Context<AppEnv>): Promise<Response> {
  scriptEtag ??= sha256(PASSKEYS_SCRIPT).then((hash) => `"${hash.slice(0, 27)}"`);
  const etag = await scriptEtag;
  c.header('ETag', etag);
  c.header('Cache-Control', 'public, max-age=86400');
  if (c.req.header('If-None-Match') === etag) return c.body(null, 304);
  return c.body(PASSKEYS_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' });
}

export function registerPasskeyRoutes(app: OpenAPIHono<AppEnv>): void {
  app.get(PASSKEYS_SCRIPT_SRC, serveScript);
  app.openapi(registrationOptionsRoute, (c) => startRegistration(c));
  app.openapi(registrationRoute, (c) => finishRegistration(c, c.req.valid('json')));
  app.openapi(authenticationOptionsRoute, (c) => startAuthentication(c));
  app.openapi(authenticationRoute, async (c) => answer(await finishAuthentication(c, c.req.valid('json'))));
}
