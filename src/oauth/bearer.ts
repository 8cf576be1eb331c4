/** RFC 6750 Bearer tokens: the Authorization header credentials (§2.1) and the checks of a protected resource (§3.1). */
import { type AccessTokenInfo, resolveAccessToken } from './access-token';
import { InsufficientScopeError, InvalidTokenError, MissingBearerError } from './errors';
import type { OAuthContext } from './ports';

/** RFC 6750 §2.1 b64token (RFC 7235 token68). */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The Bearer token of an Authorization header; null when there is no header or it uses another
 * scheme (the request then carries no Bearer credentials). The scheme is case-insensitive;
 * a Bearer header whose token is not token68 is invalid_token.
 */
export function readBearer(authorization: string | undefined): string | null {
  if (authorization === undefined) return null;
  const match = /^(\S+)(?:\s+(.*))?$/s.exec(authorization.trim());
  if (match?.[1]?.toLowerCase() !== 'bearer') return null;
  const token = match[2]?.trim() ?? '';
  if (!TOKEN68.test(token)) throw new InvalidTokenError('malformed Bearer credentials');
  return token;
}

/**
 * The live access token, carrying `scope` when one is named. No token: 401 without an error code
 * (RFC 6750 §3.1); unknown, forged, expired or revoked: 401 invalid_token; without the scope: 403
 * insufficient_scope.
 */
export async function requireAccessToken(
  ctx: OAuthContext,
  token: string | null,
  scope?: string,
): Promise<AccessTokenInfo> {
  if (token === null) throw new MissingBearerError();
  const info = await resolveAccessToken(ctx, token);
  if (!info) throw new InvalidTokenError('the access token is invalid, expired or revoked');
  if (scope !== undefined && !info.scope.split(' ').includes(scope)) throw new InsufficientScopeError(scope);
  return info;
}
