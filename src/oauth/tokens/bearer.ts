/**
 * Access tokens at a protected resource: RFC 6750 Bearer credentials (§2.1, §3.1) and RFC 9449 §7 DPoP
 * credentials (`Authorization: DPoP <token>` with a proof whose `ath` is the token's hash and whose key
 * is the one the token is bound to). A DPoP-bound token presented as Bearer is refused (§7.2).
 */
import { constantTimeEqual, sha256 } from '../../crypto/hash';
import { DpopInvalidTokenError, dpopChallenge, InvalidDpopProofError } from '../dpop/errors';
import { type DpopRequest, verifyDpopProof } from '../dpop/proof';
import { InsufficientScopeError, InvalidTokenError, MissingBearerError, OAuthError } from '../errors';
import type { OAuthContext } from '../ports';
import { isOwnAudience } from '../resources/indicators';
import { type AccessTokenInfo, resolveAccessToken } from './access-token';

/** RFC 6750 §2.1 b64token (RFC 7235 token68). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The credentials of an Authorization header with the Bearer or DPoP scheme. */
export interface AccessTokenCredentials {
  scheme: 'bearer' | 'dpop';
  token: string;
}

function readScheme(authorization: string | undefined): AccessTokenCredentials | null {
  if (authorization === undefined) return null;
  const match = /^(\S+)(?:\s+(.*))?$/s.exec(authorization.trim());
  const scheme = match?.[1]?.toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'dpop') return null;
  const token = match?.[2]?.trim() ?? '';
  if (!TOKEN68.test(token)) {
    throw scheme === 'bearer'
      ? new InvalidTokenError('malformed Bearer credentials')
      : new DpopInvalidTokenError('malformed DPoP credentials');
  }
  return { scheme, token };
}

/**
 * The Bearer token of an Authorization header; null when there is no header or it uses another
 * scheme (the request then carries no Bearer credentials). The scheme is case-insensitive;
 * a Bearer header whose token is not token68 is invalid_token.
 */
export function readBearer(authorization: string | undefined): string | null {
  if (authorization === undefined || !/^bearer(\s|$)/i.test(authorization.trim())) return null;
  return readScheme(authorization)?.token ?? null;
}

/**
 * A Bearer token an operator configured (not an OAuth access token: the `/metrics` scrape token, the event
 * ingest token). Compared as SHA-256 digests, which have equal lengths, so the time taken says nothing about
 * the configured value. No token: 401 with a bare challenge; a wrong one, or none configured (`expected`
 * undefined: nothing is accepted): 401 invalid_token naming `what`.
 */
export async function requireConfiguredBearer(
  authorization: string | undefined,
  expected: string | undefined,
  what: string,
): Promise<void> {
  const presented = readBearer(authorization);
  if (presented === null) throw new MissingBearerError();
  const matches = constantTimeEqual(await sha256(presented), await sha256(expected ?? ''));
  if (expected === undefined || !matches) throw new InvalidTokenError(`the ${what} is invalid`);
}

/**
 * The live access token, carrying `scope` when one is named. No token: 401 without an error code
 * (RFC 6750 §3.1); unknown, forged, expired or revoked: 401 invalid_token; without the scope: 403
 * insufficient_scope. Bearer only: a DPoP-bound token is refused here (RFC 9449 §7.2).
 */
export async function requireAccessToken(
  ctx: OAuthContext,
  token: string | null,
  scope?: string,
): Promise<AccessTokenInfo> {
  if (token === null) throw new MissingBearerError();
  const info = await resolveAccessToken(ctx, token);
  if (!info) throw new InvalidTokenError('the access token is invalid, expired or revoked');
  if (info.jkt)
    throw new DpopInvalidTokenError('a DPoP-bound access token must be sent with the DPoP scheme');
  requireOwnAudience(ctx, info);
  if (scope !== undefined && !info.scope.split(' ').includes(scope)) throw new InsufficientScopeError(scope);
  return info;
}

/** A protected resource request: its Authorization header, and what a DPoP proof is checked against. */
export interface ResourceRequest extends DpopRequest {
  authorization: string | undefined;
}

/** RFC 6750 §3 / RFC 9449 §7.1: no credentials at all; both schemes are offered. */
class MissingAccessTokenError extends OAuthError {
  constructor() {
    super('invalid_token', 'an access token is required (Bearer or DPoP)', 401, {
      'WWW-Authenticate': `Bearer realm="oauth2", ${dpopChallenge()}`,
    });
  }
}

/**
 * The live access token of a protected resource request that accepts both schemes, carrying `scope`
 * when one is named. DPoP: the proof must verify for this request, with `ath` = the token's hash, and
 * its key must be the token's `cnf.jkt`. Bearer: the token must not be DPoP-bound.
 */
export async function requireResourceAccess(
  ctx: OAuthContext,
  request: ResourceRequest,
  scope?: string,
): Promise<AccessTokenInfo> {
  const credentials = readScheme(request.authorization);
  if (credentials === null) throw new MissingAccessTokenError();
  if (credentials.scheme === 'bearer') return requireAccessToken(ctx, credentials.token, scope);
  const proof = await verifyDpopProof(ctx, request, 'resource', credentials.token);
  if (!proof) throw new InvalidDpopProofError('the DPoP scheme needs a DPoP proof', 'resource');
  const info = await resolveAccessToken(ctx, credentials.token);
  if (!info) throw new DpopInvalidTokenError('the access token is invalid, expired or revoked');
  if (!info.jkt) throw new DpopInvalidTokenError('the access token is not DPoP-bound');
  if (info.jkt !== proof.jkt) {
    throw new InvalidDpopProofError('the DPoP proof key is not the one the token is bound to', 'resource');
  }
  requireOwnAudience(ctx, info);
  if (scope !== undefined && !info.scope.split(' ').includes(scope)) throw new InsufficientScopeError(scope);
  return info;
}

/** RFC 8707: a token restricted to another resource is not accepted by this server's own endpoints. */
function requireOwnAudience(ctx: OAuthContext, info: AccessTokenInfo): void {
  if (!isOwnAudience(info.aud, info.clientId, ctx.issuer)) {
    throw new InvalidTokenError('the access token is for another audience');
  }
}
