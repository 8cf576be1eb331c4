/**
 * RFC 7523 §2.2 / §3 JWT client authentication (OIDC Core §9): `client_assertion_type` =
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer and a `client_assertion` signed with a key of the
 * client's registered `jwks` / `jwks_uri` (private_key_jwt) or with its secret (client_secret_jwt, HS256).
 * `iss` = `sub` = client_id; `aud` names this server (its issuer or one of its endpoints that authenticate
 * clients); `exp` is required and at most 5 minutes after `iat` (or now); `jti` is single-use (ReplayGuard).
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import { utf8 } from '../../crypto/encoding';
import type { ClientRecord } from '../../storage/ports';
import { InvalidClientError } from '../errors';
import { checkLifetimeAndReplay, type JwtKeys, JwtRejectedError, verifyJwt } from '../jwt-assertion';
import type { OAuthContext } from '../ports';
import { registeredKeys } from './assertion-jwks';
import { unsealClientSecret } from './assertion-secret';

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** private_key_jwt signature algorithms (asymmetric only). */
export const PRIVATE_KEY_JWT_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
/** client_secret_jwt signature algorithms. */
export const CLIENT_SECRET_JWT_ALGS = ['HS256'] as const;
/** Every `token_endpoint_auth_signing_alg` a client may register. */
export const ASSERTION_SIGNING_ALGS = [...PRIVATE_KEY_JWT_ALGS, ...CLIENT_SECRET_JWT_ALGS] as const;

/** The longest lifetime (exp - iat) of an assertion (clock skew: src/oauth/jwt-assertion.ts). */
const MAX_LIFETIME_SECS = 300;
const MAX_ASSERTION_LENGTH = 8192;
const MAX_CLIENT_ID_LENGTH = 255;

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
  await verifyAssertion(ctx, client, assertion, alg);
}

/** The keys `client` signs with: its secret (client_secret_jwt), else its registered `jwks` or `jwks_uri`. */
async function clientKeys(ctx: OAuthContext, client: ClientRecord): Promise<JwtKeys> {
  if (client.tokenEndpointAuthMethod === 'client_secret_jwt') {
    const secret = await unsealClientSecret(ctx.config, client);
    if (secret === null || client.clientSecretHash === null) throw failed();
    if (client.clientSecretExpiresAt !== 0 && client.clientSecretExpiresAt <= ctx.clock.nowSecs())
      throw failed();
    return { secret: utf8(secret) };
  }
  const keys = registeredKeys(client);
  if (keys === null) throw failed();
  return keys;
}

/** Verifies signature and claims, then RFC 7523 §3 items 4 and 7: a short-lived assertion, used once. */
async function verifyAssertion(
  ctx: OAuthContext,
  client: ClientRecord,
  assertion: string,
  alg: string,
): Promise<void> {
  const clientId = client.clientId;
  try {
    const payload = await verifyJwt(ctx, assertion, await clientKeys(ctx, client), {
      alg,
      issuer: clientId,
      subject: clientId,
      audience: [ctx.issuer, ...CLIENT_AUTH_PATHS.map((path) => `${ctx.issuer}${path}`)],
    });
    await checkLifetimeAndReplay(ctx, payload, {
      maxLifetimeSecs: MAX_LIFETIME_SECS,
      namespace: 'client-assertion',
      id: (jti) => `${clientId}:${jti}`,
    });
  } catch (error) {
    if (!(error instanceof JwtRejectedError)) throw error;
    if (error.reason === 'replayed') throw new InvalidClientError('the client assertion was already used');
    throw failed();
  }
}
