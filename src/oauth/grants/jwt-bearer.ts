/**
 * RFC 7523 §2.1 JWT bearer authorization grant (RFC 7521 §4.1): an authenticated confidential client that
 * registered the grant trades an assertion signed by a trusted issuer (managed through
 * /admin/api/trusted-issuers) for an access token for the assertion's subject. The assertion is checked as
 * RFC 7523 §3 requires: `iss` a trusted, enabled issuer; its signature by a key of that issuer's JWK Set
 * (asymmetric algorithms only); `aud` naming the token endpoint, this server's issuer or the issuer's
 * configured audience; `exp` required and at most MAX_LIFETIME_SECS ahead; `nbf` / `iat` with clock skew;
 * `sub` allowed by the issuer; `jti` required and single use per issuer. Scope = requested ∩ the issuer's
 * allowed ∩ the client's (default: the last two). No refresh token (RFC 7521 §5.2 does not call for one).
 * Every problem with the assertion is `invalid_grant` naming what failed.
 */
import { decodeJwt, decodeProtectedHeader, type JWTPayload } from 'jose';
import type { ClientRecord, TrustedIssuerRecord } from '../../storage/ports';
import { InvalidGrantError, InvalidScopeError } from '../errors';
import { required } from '../form';
import {
  CLOCK_SKEW_SECS,
  checkLifetimeAndReplay,
  JwtRejectedError,
  type JwtRejection,
  verifyJwt,
} from '../jwt-assertion';
import type { OAuthContext } from '../ports';
import { requestedResources, scopeTarget } from '../resources/indicators';
import { ADMIN_SCOPE } from '../scopes/admin-scope';
import { parseScope, USER_SCOPES } from '../scopes/scope';
import { accessTokenOnly } from './access-token-only';
import type { TokenGrant } from './token-response';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Assertion signature algorithms: asymmetric only (never `none` or HS*: the issuer shares no secret). */
export const JWT_BEARER_ALGS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

/** Scopes a foreign subject never gets: administration and the OpenID user scopes (they name local users). */
export const UNGRANTABLE_SCOPES: ReadonlySet<string> = new Set([ADMIN_SCOPE, ...USER_SCOPES]);

/** The longest an assertion may be valid (exp - iat, and exp - now). */
export const MAX_LIFETIME_SECS = 300;
const MAX_ASSERTION_LENGTH = 8192;
const MAX_SUBJECT_LENGTH = 255;

export const jwtBearerGrant: TokenGrant = async (ctx, client, params) => {
  const assertion = required(params, 'assertion');
  const { trusted, alg } = await trustedIssuerOf(ctx, assertion);
  const payload = await verifiedAssertion(ctx, trusted, assertion, alg);
  const sub = allowedSubject(trusted, payload);
  const { scopes: scope, resources } = scopeTarget(
    grantedScope(ctx, client, trusted, params.get('scope')),
    params.get('scope') !== undefined,
    requestedResources(params, ctx.issuer, ctx.config),
    ctx.config.scopes,
  );
  return accessTokenOnly(ctx, { client, sub, scope, resources, grantType: JWT_BEARER_GRANT });
};

/** The enabled trusted issuer named by the (not yet verified) `iss`, and the algorithm the header names. */
async function trustedIssuerOf(
  ctx: OAuthContext,
  assertion: string,
): Promise<{ trusted: TrustedIssuerRecord; alg: string }> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw new InvalidGrantError('the assertion is too long');
  let alg: unknown;
  let iss: unknown;
  try {
    alg = decodeProtectedHeader(assertion).alg;
    iss = decodeJwt(assertion).iss;
  } catch {
    throw new InvalidGrantError('the assertion is not a signed JWT');
  }
  if (typeof alg !== 'string' || !(JWT_BEARER_ALGS as readonly string[]).includes(alg)) {
    throw new InvalidGrantError(`the assertion must be signed with one of ${JWT_BEARER_ALGS.join(', ')}`);
  }
  if (typeof iss !== 'string' || iss.length === 0 || iss.length > 500) {
    throw new InvalidGrantError('the assertion needs an iss');
  }
  const trusted = await ctx.storage.trustedIssuers.getByIssuer(iss);
  if (!trusted?.enabled) throw new InvalidGrantError('the assertion issuer is not trusted');
  return { trusted, alg };
}

/** RFC 7523 §3 items 1-7: signature, iss, aud, exp, nbf, iat, and a single-use jti. */
async function verifiedAssertion(
  ctx: OAuthContext,
  trusted: TrustedIssuerRecord,
  assertion: string,
  alg: string,
): Promise<JWTPayload> {
  const keys = trusted.jwks !== null ? { jwks: trusted.jwks } : { jwksUri: trusted.jwksUri ?? '' };
  const audience = [`${ctx.issuer}/oauth/token`, ctx.issuer, ...(trusted.audience ? [trusted.audience] : [])];
  try {
    const payload = await verifyJwt(ctx, assertion, keys, { alg, issuer: trusted.issuer, audience });
    if (typeof payload.iat === 'number' && payload.iat > ctx.clock.nowSecs() + CLOCK_SKEW_SECS) {
      throw new JwtRejectedError('claim', 'iat');
    }
    await checkLifetimeAndReplay(ctx, payload, {
      maxLifetimeSecs: MAX_LIFETIME_SECS,
      namespace: 'jwt-bearer',
      id: (jti) => `${trusted.issuer}\u0000${jti}`,
    });
    return payload;
  } catch (error) {
    if (error instanceof JwtRejectedError) throw new InvalidGrantError(REJECTIONS[error.reason](error));
    throw error;
  }
}

/** What each refusal says (invalid_grant). */
const REJECTIONS: Record<JwtRejection, (error: JwtRejectedError) => string> = {
  keys_unavailable: () => "the trusted issuer's keys could not be used",
  expired: () => 'the assertion has expired',
  claim: (error) => `the assertion ${error.claim} claim is missing or invalid`,
  signature: () => "the assertion signature could not be verified with the trusted issuer's keys",
  lifetime: () => `the assertion may be valid for at most ${MAX_LIFETIME_SECS} seconds`,
  jti_missing: () => 'the assertion needs a jti',
  replayed: () => 'the assertion was already used',
};

/** RFC 7523 §3 item 2: the subject, which the trusted issuer must be allowed to assert. */
function allowedSubject(trusted: TrustedIssuerRecord, payload: JWTPayload): string {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) {
    throw new InvalidGrantError('the assertion sub claim is missing or invalid');
  }
  if (!trusted.allowedSubjects.includes('*') && !trusted.allowedSubjects.includes(sub)) {
    throw new InvalidGrantError('the assertion subject is not allowed for this issuer');
  }
  return sub;
}

/**
 * The requested scopes within what both the issuer and the client allow (RFC 6749 §3.3: the response
 * says what was granted); by default all of those. Never `admin` or the OpenID user scopes.
 */
function grantedScope(
  ctx: OAuthContext,
  client: ClientRecord,
  trusted: TrustedIssuerRecord,
  requested: string | undefined,
): string[] {
  const clientScopes = new Set(parseScope(client.scope));
  const allowed = trusted.allowedScopes.filter(
    (scope) => clientScopes.has(scope) && !UNGRANTABLE_SCOPES.has(scope) && ctx.config.scopes.isKnown(scope),
  );
  if (requested === undefined) return allowed;
  const granted = parseScope(requested).filter((scope) => allowed.includes(scope));
  if (granted.length === 0) throw new InvalidScopeError('none of the requested scopes may be granted');
  return granted;
}
