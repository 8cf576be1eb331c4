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
import { decodeProtectedHeader, type JWTPayload } from 'jose';
import { utf8 } from '../../crypto/encoding';
import type { ClientRecord } from '../../storage/ports';
import { ASSERTION_SIGNING_ALGS, CLIENT_SECRET_JWT_ALGS } from '../client-auth/assertion';
import { registeredKeys } from '../client-auth/assertion-jwks';
import { unsealClientSecret } from '../client-auth/assertion-secret';
import { InvalidRequestError, OAuthError } from '../errors';
import type { FormParams } from '../form';
import {
  checkLifetimeAndReplay,
  type JwtKeys,
  JwtRejectedError,
  type JwtRejection,
  verifyJwt,
} from '../jwt-assertion';
import type { OAuthContext } from '../ports';

/** The `request_object_signing_alg` values a client may register (and discovery advertises). */
export const REQUEST_OBJECT_ALGS = ASSERTION_SIGNING_ALGS;

/** The longest an object may stay valid (exp - iat, and exp - now; clock skew: src/oauth/jwt-assertion.ts). */
const MAX_LIFETIME_SECS = 600;
const MAX_OBJECT_LENGTH = 16 * 1024;
const MAX_PARAMETERS = 64;
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
  return verifiedPayload(ctx, client, jwt, alg);
}

/** The keys `client` signs with: its secret for HS256, else its registered `jwks` or `jwks_uri`. */
async function clientKeys(ctx: OAuthContext, client: ClientRecord, alg: string): Promise<JwtKeys> {
  if ((CLIENT_SECRET_JWT_ALGS as readonly string[]).includes(alg)) {
    const secret = await unsealClientSecret(ctx.config, client);
    const expired = client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= ctx.clock.nowSecs();
    if (secret === null || client.clientSecretHash === null || expired) {
      throw new InvalidRequestObjectError('this client has no secret to verify an HS256 request object with');
    }
    return { secret: utf8(secret) };
  }
  const keys = registeredKeys(client);
  if (keys === null) {
    throw new InvalidRequestObjectError('this client has no registered keys (jwks or jwks_uri)');
  }
  return keys;
}

/** Signature and claims, then a short-lived object used once (RFC 9101 §10.8; `jti` kept until `exp`). */
async function verifiedPayload(
  ctx: OAuthContext,
  client: ClientRecord,
  jwt: string,
  alg: string,
): Promise<JWTPayload> {
  try {
    const payload = await verifyJwt(ctx, jwt, await clientKeys(ctx, client, alg), {
      alg,
      issuer: client.clientId,
      audience: ctx.issuer,
    });
    await checkLifetimeAndReplay(ctx, payload, {
      maxLifetimeSecs: MAX_LIFETIME_SECS,
      namespace: 'request-object',
      id: (jti) => `${client.clientId}:${jti}`,
    });
    return payload;
  } catch (error) {
    if (error instanceof JwtRejectedError)
      throw new InvalidRequestObjectError(REJECTIONS[error.reason](error));
    throw error;
  }
}

/** What each refusal says (invalid_request_object). */
const REJECTIONS: Record<JwtRejection, (error: JwtRejectedError) => string> = {
  keys_unavailable: () => "the client's keys could not be used",
  expired: () => 'the request object has expired',
  claim: (error) => `the request object ${error.claim} claim is invalid`,
  signature: () => 'the request object signature could not be verified',
  lifetime: () => `the request object may be valid for at most ${MAX_LIFETIME_SECS} seconds`,
  jti_missing: () => 'the request object needs a jti',
  replayed: () => 'the request object was already used',
};
