/**
 * RFC 7523 §2.2 / §3 JWT client authentication (OIDC Core §9): `client_assertion_type` =
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer and a `client_assertion` signed with a key of the
 * client's registered `jwks` / `jwks_uri` (private_key_jwt) or with its secret (client_secret_jwt, HS256).
 * `iss` = `sub` = client_id; `aud` names this server (its issuer or one of its endpoints that authenticate
 * clients); `exp` is required and at most 5 minutes after `iat` (or now); `jti` is single-use (ReplayGuard).
 */
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { utf8 } from '../../crypto/encoding';
import type { ClientRecord } from '../../storage/ports';
import { InvalidClientError } from '../errors';
import type { OAuthContext } from '../ports';
import { checkJwks, JWKS_URI_TARGET, JwksUnavailableError, remoteJwks } from './assertion-jwks';
import { unsealClientSecret } from './assertion-secret';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** private_key_jwt signature algorithms (asymmetric only). */
export const PRIVATE_KEY_JWT_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
/** client_secret_jwt signature algorithms. */
export const CLIENT_SECRET_JWT_ALGS = ['HS256'] as const;
/** Every `token_endpoint_auth_signing_alg` a client may register. */
export const ASSERTION_SIGNING_ALGS = [...PRIVATE_KEY_JWT_ALGS, ...CLIENT_SECRET_JWT_ALGS] as const;

/** The longest lifetime (exp - iat) of an assertion, and the clock skew allowed on exp, nbf and iat. */
const MAX_LIFETIME_SECS = 300;
const CLOCK_SKEW_SECS = 30;
const MAX_ASSERTION_LENGTH = 8192;
const MAX_CLIENT_ID_LENGTH = 255;
const MAX_JTI_LENGTH = 256;

/** The paths of this server's endpoints that authenticate clients: each URL is an acceptable `aud`. */
const CLIENT_AUTH_PATHS = [
  '/oauth/token',
  '/oauth/introspect',
  '/oauth/revoke',
  '/oauth/par',
  '/oauth/device_authorization',
];

const failed = () => new InvalidClientError('client authentication failed');

/**
 * The client an assertion claims to come from (`iss` = `sub`), read without verifying it; the caller
 * verifies the assertion against that client with `verifyClientAssertion`.
 */
export function assertionClientId(assertion: string): string {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw new InvalidClientError('malformed client assertion');
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw new InvalidClientError('malformed client assertion');
  }
  if (typeof claims.iss !== 'string' || claims.iss !== claims.sub) {
    throw new InvalidClientError('the client assertion iss and sub must both be the client_id');
  }
  if (claims.iss.length === 0 || claims.iss.length > MAX_CLIENT_ID_LENGTH) throw failed();
  return claims.iss;
}

/** Verifies `assertion` for `client` (already found by its `iss`); every failure is invalid_client. */
export async function verifyClientAssertion(
  ctx: OAuthContext,
  client: ClientRecord,
  assertion: string,
): Promise<void> {
  const method = client.tokenEndpointAuthMethod;
  if (method !== 'private_key_jwt' && method !== 'client_secret_jwt') throw failed();
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(assertion).alg;
  } catch {
    throw failed();
  }
  const allowed: readonly string[] =
    method === 'private_key_jwt' ? PRIVATE_KEY_JWT_ALGS : CLIENT_SECRET_JWT_ALGS;
  const registered = client.metadata.token_endpoint_auth_signing_alg;
  if (typeof alg !== 'string' || !allowed.includes(alg) || (registered !== undefined && alg !== registered)) {
    throw failed();
  }
  const payload =
    method === 'private_key_jwt'
      ? await verifyWithClientKeys(ctx, client, assertion, alg)
      : await verifyWithSecret(ctx, client, assertion, alg);
  await checkLifetimeAndReplay(ctx, client.clientId, payload);
}

function verifyOptions(ctx: OAuthContext, clientId: string, alg: string) {
  return {
    algorithms: [alg],
    issuer: clientId,
    subject: clientId,
    audience: [ctx.issuer, ...CLIENT_AUTH_PATHS.map((path) => `${ctx.issuer}${path}`)],
    currentDate: new Date(ctx.clock.nowSecs() * 1000),
    clockTolerance: CLOCK_SKEW_SECS,
    requiredClaims: ['exp', 'jti'],
  };
}

async function verifyWithSecret(
  ctx: OAuthContext,
  client: ClientRecord,
  assertion: string,
  alg: string,
): Promise<JWTPayload> {
  const secret = await unsealClientSecret(ctx.config, client);
  if (secret === null || client.clientSecretHash === null) throw failed();
  if (client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= ctx.clock.nowSecs())
    throw failed();
  return verified(() => jwtVerify(assertion, utf8(secret), verifyOptions(ctx, client.clientId, alg)));
}

async function verifyWithClientKeys(
  ctx: OAuthContext,
  client: ClientRecord,
  assertion: string,
  alg: string,
): Promise<JWTPayload> {
  const options = verifyOptions(ctx, client.clientId, alg);
  const registered = client.metadata.jwks;
  if (registered !== undefined) {
    const jwks = await jwksOrFail(() => checkJwks(registered));
    return verified(() => jwtVerify(assertion, createLocalJWKSet(jwks), options));
  }
  const uri = client.metadata.jwks_uri;
  if (typeof uri !== 'string') throw failed();
  const load = async (refresh: boolean) =>
    jwksOrFail(async () =>
      remoteJwks(uri, {
        policy: ctx.config.outbound,
        now: ctx.clock.nowSecs(),
        refresh,
        breaker: (host) => ctx.outboundBreaker?.(JWKS_URI_TARGET, host),
      }),
    );
  const cached = await load(false);
  try {
    return (await jwtVerify(assertion, createLocalJWKSet(cached), options)).payload;
  } catch (error) {
    // A key the cached set does not have yet: the client may have rotated its keys; fetch once more.
    if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw failed();
  }
  const jwks = await load(true);
  return verified(() => jwtVerify(assertion, createLocalJWKSet(jwks), options));
}

async function jwksOrFail(load: () => JSONWebKeySet | Promise<JSONWebKeySet>): Promise<JSONWebKeySet> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof JwksUnavailableError) throw failed();
    throw error;
  }
}

/**
 * The verified payload. Verification with local keys does no I/O, so anything it throws (JOSE errors,
 * WebCrypto's DataError for a malformed registered key, ...) is a failed authentication: invalid_client.
 */
async function verified(verify: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await verify()).payload;
  } catch {
    throw failed();
  }
}

/** RFC 7523 §3 items 4 and 7: a short-lived assertion, used once. */
async function checkLifetimeAndReplay(
  ctx: OAuthContext,
  clientId: string,
  payload: JWTPayload,
): Promise<void> {
  const now = ctx.clock.nowSecs();
  const { exp, iat, jti } = payload;
  if (typeof exp !== 'number') throw failed();
  const start = typeof iat === 'number' ? iat : now;
  if (exp - start > MAX_LIFETIME_SECS || exp > now + MAX_LIFETIME_SECS + CLOCK_SKEW_SECS) throw failed();
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) throw failed();
  const fresh = await ctx.replay.claim('client-assertion', `${clientId}:${jti}`, exp + CLOCK_SKEW_SECS + 1);
  if (!fresh) throw new InvalidClientError('the client assertion was already used');
}
