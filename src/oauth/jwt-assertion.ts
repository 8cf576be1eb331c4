/**
 * One verification of a JWT that a party signed with a key of its JWK Set (inline `jwks`, or `jwks_uri`
 * fetched through src/outbound and cached per isolate) or with a shared secret: RFC 7523 §3 client
 * assertions, RFC 9101 request objects and RFC 7523 §2.1 authorization grants all check the same things
 * (RFC 7519 §7.2, RFC 8725 §3.1): the one algorithm the caller accepts, `iss`, `aud`, `exp` (required),
 * `nbf` / `iat` with clock skew, then a bounded lifetime and a single-use `jti` (ReplayGuard). Failures are
 * `JwtRejectedError` with a reason; each caller turns it into its own RFC error.
 */
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyOptions,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { checkJwks, JWKS_URI_TARGET, JwksUnavailableError, remoteJwks } from './client-auth/assertion-jwks';
import type { OAuthContext } from './ports';

/** The clock skew allowed on exp, nbf and iat. */
export const CLOCK_SKEW_SECS = 30;
const MAX_JTI_LENGTH = 256;

/** What verifies the signature: a shared secret (HS*), an inline JWK Set, or the URL of one. */
export type JwtKeys = { secret: Uint8Array } | { jwks: unknown } | { jwksUri: string };

/**
 * Why a JWT was refused: its keys could not be had (`keys_unavailable`), it expired, a claim check failed
 * (`claim`, naming the claim), the signature (or anything else about the token) did not verify, it lives
 * too long, it has no usable `jti`, or its `jti` was seen before.
 */
export type JwtRejection =
  | 'keys_unavailable'
  | 'expired'
  | 'claim'
  | 'signature'
  | 'lifetime'
  | 'jti_missing'
  | 'replayed';

export class JwtRejectedError extends Error {
  constructor(
    readonly reason: JwtRejection,
    readonly claim?: string,
  ) {
    super(claim === undefined ? reason : `${reason}: ${claim}`);
    this.name = 'JwtRejectedError';
  }
}

/** The claims the caller requires: `alg` already chosen from its allowed list; `aud` any of these. */
export interface JwtExpectations {
  alg: string;
  issuer: string;
  subject?: string;
  audience: string | string[];
}

/** The verified payload of `jwt` (signature, alg, iss, sub, aud, exp, nbf, iat; `exp` and `jti` present). */
export async function verifyJwt(
  ctx: OAuthContext,
  jwt: string,
  keys: JwtKeys,
  expected: JwtExpectations,
): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    algorithms: [expected.alg],
    issuer: expected.issuer,
    audience: expected.audience,
    currentDate: new Date(ctx.clock.nowSecs() * 1000),
    clockTolerance: CLOCK_SKEW_SECS,
    requiredClaims: ['exp', 'jti'],
  };
  if (expected.subject !== undefined) options.subject = expected.subject;
  if ('secret' in keys) return verified(() => jwtVerify(jwt, keys.secret, options));
  if ('jwks' in keys) {
    const jwks = await keySet(() => checkJwks(keys.jwks));
    return verified(() => jwtVerify(jwt, createLocalJWKSet(jwks), options));
  }
  const load = (refresh: boolean) =>
    keySet(() =>
      remoteJwks(keys.jwksUri, {
        policy: ctx.config.outbound,
        now: ctx.clock.nowSecs(),
        refresh,
        breaker: (host) => ctx.outboundBreaker?.(JWKS_URI_TARGET, host),
      }),
    );
  try {
    return (await jwtVerify(jwt, createLocalJWKSet(await load(false)), options)).payload;
  } catch (error) {
    // A key the cached set does not have yet (the signer rotated its keys): fetch once more.
    if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw rejection(error);
  }
  const jwks = await load(true);
  return verified(() => jwtVerify(jwt, createLocalJWKSet(jwks), options));
}

async function keySet(load: () => JSONWebKeySet | Promise<JSONWebKeySet>): Promise<JSONWebKeySet> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof JwksUnavailableError) throw new JwtRejectedError('keys_unavailable');
    throw error;
  }
}

/**
 * The verified payload. Verification with keys in hand does no I/O, so anything it throws (JOSE errors,
 * WebCrypto's DataError for a malformed registered key, ...) is a refused token.
 */
async function verified(verify: () => Promise<{ payload: JWTPayload }>): Promise<JWTPayload> {
  try {
    return (await verify()).payload;
  } catch (error) {
    throw rejection(error);
  }
}

function rejection(error: unknown): JwtRejectedError {
  if (error instanceof JwtRejectedError) return error;
  if (error instanceof joseErrors.JWTExpired) return new JwtRejectedError('expired', 'exp');
  if (error instanceof joseErrors.JWTClaimValidationFailed) return new JwtRejectedError('claim', error.claim);
  return new JwtRejectedError('signature');
}

/** How long a JWT may live and where its `jti` is remembered. */
export interface SingleUse {
  /** The longest `exp - iat` (or `exp - now` without `iat`). */
  maxLifetimeSecs: number;
  /** The ReplayGuard namespace, and the identifier within it (the signer and the `jti`). */
  namespace: string;
  id: (jti: string) => string;
}

/** RFC 7523 §3 items 4 and 7, RFC 9101 §10.8: a short-lived JWT, used once (`jti` kept until `exp`). */
export async function checkLifetimeAndReplay(
  ctx: OAuthContext,
  payload: JWTPayload,
  rule: SingleUse,
): Promise<void> {
  const now = ctx.clock.nowSecs();
  const { exp, iat, jti } = payload;
  if (typeof exp !== 'number') throw new JwtRejectedError('claim', 'exp');
  const start = typeof iat === 'number' ? iat : now;
  if (exp - start > rule.maxLifetimeSecs || exp > now + rule.maxLifetimeSecs + CLOCK_SKEW_SECS) {
    throw new JwtRejectedError('lifetime');
  }
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
    throw new JwtRejectedError('jti_missing');
  }
  const fresh = await ctx.replay.claim(rule.namespace, rule.id(jti), exp + CLOCK_SKEW_SECS + 1);
  if (!fresh) throw new JwtRejectedError('replayed');
}
