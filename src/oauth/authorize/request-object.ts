/**
 * RFC 9101 (JAR) request objects passed by value (`request`), at `/oauth/authorize` and inside a pushed
 * request (RFC 9126 §3). The JWT is signed with one of the client's registered keys (`jwks` / `jwks_uri`,
 * fetched and cached as for private_key_jwt) or, with HS256, with its client secret (kept sealed for such
 * clients, src/oauth/client-auth/authenticate/assertion-secret.ts); the client's `request_object_signing_alg`, when
 * registered, is the only algorithm accepted, and `none` never is. `iss` = client_id, `aud` = the issuer,
 * `exp` required and at most MAX_LIFETIME_SECS ahead, `nbf` / `iat` checked, `jti` required and single use
 * (ReplayGuard). Only the object's parameters are used (§6.3); `client_id` and `response_type` sent beside
 * it must agree with it. Every failure is `invalid_request_object`.
 */
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { utf8 } from '../../crypto/encoding';
import type { ClientRecord } from '../../storage/ports';
import { ASSERTION_SIGNING_ALGS, CLIENT_SECRET_JWT_ALGS } from '../client-auth/assertion';
import { checkJwks, JWKS_URI_TARGET, JwksUnavailableError, remoteJwks } from '../client-auth/assertion-jwks';
import { unsealClientSecret } from '../client-auth/assertion-secret';
import { InvalidRequestError, OAuthError } from '../errors';
import type { FormParams } from '../form';
import type { OAuthContext } from '../ports';

/** The `request_object_signing_alg` values a client may register (and discovery advertises). */
export const REQUEST_OBJECT_ALGS = ASSERTION_SIGNING_ALGS;

/** The longest an object may stay valid (exp - iat, and exp - now), and the clock skew allowed. */
const MAX_LIFETIME_SECS = 600;
const CLOCK_SKEW_SECS = 30;
const MAX_OBJECT_LENGTH = 16 * 1024;
const MAX_PARAMETERS = 64;
const MAX_JTI_LENGTH = 256;
/** RFC 9101 §4 / §10.8: the explicit type, or none at all (OIDC Core request objects). */
const ACCEPTED_TYPES = new Set(['oauth-authz-req+jwt', 'JWT']);
/** JWT claims that frame the object; they are not authorization request parameters. */
const FRAMING_CLAIMS = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sub']);

export class InvalidRequestObjectError extends OAuthError {
  constructor(description: string) {
    super('invalid_request_object', description, 400);
  }
}

/** Whether every authorization request of `client` must come as a signed request object. */
export function requiresSignedRequestObject(client: ClientRecord): boolean {
  return client.metadata.require_signed_request_object === true;
}

/**
 * The authorization request parameters of a request carrying `request`: the verified object's claims
 * (as form values), with `client_id` set. `front` are the parameters sent beside it (the query, or the
 * PAR body without client authentication).
 */
export async function requestObjectParams(
  ctx: OAuthContext,
  client: ClientRecord,
  front: FormParams,
): Promise<Map<string, string>> {
  const jwt = front.get('request');
  if (jwt === undefined) throw new InvalidRequestError('request is missing');
  if (front.has('request_uri')) {
    throw new InvalidRequestError('request and request_uri must not both be sent (RFC 9101 §5)');
  }
  const payload = await verifyRequestObject(ctx, client, jwt);
  const params = objectParams(payload);
  const objectClientId = params.get('client_id');
  if (objectClientId !== undefined && objectClientId !== client.clientId) {
    throw new InvalidRequestObjectError('the request object client_id does not match the client');
  }
  const frontClientId = front.get('client_id');
  if (frontClientId !== undefined && frontClientId !== client.clientId) {
    throw new InvalidRequestObjectError('client_id does not match the request object');
  }
  const frontType = front.get('response_type');
  if (frontType !== undefined && frontType !== params.get('response_type')) {
    throw new InvalidRequestObjectError('response_type does not match the request object');
  }
  params.set('client_id', client.clientId);
  return params;
}

/** The object's claims as form values: strings as they are, numbers and booleans as text, objects as JSON. */
function objectParams(payload: JWTPayload): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of Object.entries(payload)) {
    if (FRAMING_CLAIMS.has(name)) continue;
    if (name === 'request' || name === 'request_uri') {
      throw new InvalidRequestObjectError(`a request object must not contain ${name}`);
    }
    const text = formValue(name, value);
    if (text !== '') params.set(name, text);
  }
  if (params.size > MAX_PARAMETERS)
    throw new InvalidRequestObjectError('the request object has too many claims');
  return params;
}

function formValue(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // RFC 8707 `resource` may repeat: kept joined by spaces, as the form parser does.
  if (name === 'resource' && Array.isArray(value) && value.every((item) => typeof item === 'string')) {
    return value.join(' ');
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return JSON.stringify(value);
  throw new InvalidRequestObjectError(
    `the request object claim ${name.slice(0, 40)} has an unsupported type`,
  );
}

async function verifyRequestObject(
  ctx: OAuthContext,
  client: ClientRecord,
  jwt: string,
): Promise<JWTPayload> {
  if (jwt.length > MAX_OBJECT_LENGTH) throw new InvalidRequestObjectError('the request object is too long');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    throw new InvalidRequestObjectError('the request object is not a signed JWT');
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !(REQUEST_OBJECT_ALGS as readonly string[]).includes(alg)) {
    throw new InvalidRequestObjectError(
      `the request object must be signed with one of ${REQUEST_OBJECT_ALGS.join(', ')}`,
    );
  }
  const registered = client.metadata.request_object_signing_alg;
  if (registered !== undefined && alg !== registered) {
    throw new InvalidRequestObjectError(`this client signs its request objects with ${String(registered)}`);
  }
  if (header.typ !== undefined && !ACCEPTED_TYPES.has(header.typ)) {
    throw new InvalidRequestObjectError('the request object typ must be oauth-authz-req+jwt');
  }
  const payload = (CLIENT_SECRET_JWT_ALGS as readonly string[]).includes(alg)
    ? await verifyWithSecret(ctx, client, jwt, alg)
    : await verifyWithClientKeys(ctx, client, jwt, alg);
  await checkLifetimeAndReplay(ctx, client.clientId, payload);
  return payload;
}

function verifyOptions(ctx: OAuthContext, clientId: string, alg: string) {
  return {
    algorithms: [alg],
    issuer: clientId,
    audience: ctx.issuer,
    currentDate: new Date(ctx.clock.nowSecs() * 1000),
    clockTolerance: CLOCK_SKEW_SECS,
    requiredClaims: ['exp', 'jti'],
  };
}

async function verifyWithSecret(
  ctx: OAuthContext,
  client: ClientRecord,
  jwt: string,
  alg: string,
): Promise<JWTPayload> {
  const secret = await unsealClientSecret(ctx.config, client);
  const expired = client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= ctx.clock.nowSecs();
  if (secret === null || client.clientSecretHash === null || expired) {
    throw new InvalidRequestObjectError('this client has no secret to verify an HS256 request object with');
  }
  return verified(() => jwtVerify(jwt, utf8(secret), verifyOptions(ctx, client.clientId, alg)));
}

async function verifyWithClientKeys(
  ctx: OAuthContext,
  client: ClientRecord,
  jwt: string,
  alg: string,
): Promise<JWTPayload> {
  const options = verifyOptions(ctx, client.clientId, alg);
  const registered = client.metadata.jwks;
  if (registered !== undefined) {
    const jwks = await keysOrFail(() => checkJwks(registered));
    return verified(() => jwtVerify(jwt, createLocalJWKSet(jwks), options));
  }
  const uri = client.metadata.jwks_uri;
  if (typeof uri !== 'string') {
    throw new InvalidRequestObjectError('this client has no registered keys (jwks or jwks_uri)');
  }
  const load = (refresh: boolean) =>
    keysOrFail(() =>
      remoteJwks(uri, {
        policy: ctx.config.outbound,
        now: ctx.clock.nowSecs(),
        refresh,
        breaker: (host) => ctx.outboundBreaker?.(JWKS_URI_TARGET, host),
      }),
    );
  try {
    return (await jwtVerify(jwt, createLocalJWKSet(await load(false)), options)).payload;
  } catch (error) {
    // A key the cached set does not have yet (the client rotated its keys): fetch once more.
    if (!(error instanceof joseErrors.JWKSNoMatchingKey)) return verified(() => Promise.reject(error));
  }
  const jwks = await load(true);
  return verified(() => jwtVerify(jwt, createLocalJWKSet(jwks), options));
}

async function keysOrFail(load: () => JSONWebKeySet | Promise<JSONWebKeySet>): Promise<JSONWebKeySet> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof JwksUnavailableError) {
      throw new InvalidRequestObjectError("the client's keys could not be used");
    }
    throw error;
  }
}

/** The verified payload; a JOSE or WebCrypto failure becomes invalid_request_object naming what failed. */
async function verified(verify: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await verify()).payload;
  } catch (error) {
    if (error instanceof InvalidRequestObjectError) throw error;
    if (error instanceof joseErrors.JWTExpired)
      throw new InvalidRequestObjectError('the request object has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      throw new InvalidRequestObjectError(`the request object ${error.claim} claim is invalid`);
    }
    throw new InvalidRequestObjectError('the request object signature could not be verified');
  }
}

/** A short-lived object, used once (RFC 9101 §10.8 replay; `jti` kept until `exp`). */
async function checkLifetimeAndReplay(
  ctx: OAuthContext,
  clientId: string,
  payload: JWTPayload,
): Promise<void> {
  const now = ctx.clock.nowSecs();
  const { exp, iat, jti } = payload;
  if (typeof exp !== 'number') throw new InvalidRequestObjectError('the request object needs exp');
  const start = typeof iat === 'number' ? iat : now;
  if (exp - start > MAX_LIFETIME_SECS || exp > now + MAX_LIFETIME_SECS + CLOCK_SKEW_SECS) {
    throw new InvalidRequestObjectError(
      `the request object may be valid for at most ${MAX_LIFETIME_SECS} seconds`,
    );
  }
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw new InvalidRequestObjectError('the request object needs a jti');
  }
  const fresh = await ctx.replay.claim('request-object', `${clientId}:${jti}`, exp + CLOCK_SKEW_SECS + 1);
  if (!fresh) throw new InvalidRequestObjectError('the request object was already used');
}
