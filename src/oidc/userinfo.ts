/**
 * OpenID Connect Core §5.3 UserInfo: claims of the token's user, by the token's scopes (§5.4). The token
 * comes as Bearer (RFC 6750) or, when DPoP-bound, with the DPoP scheme and a proof (RFC 9449 §7).
 */

import { DpopInvalidTokenError } from '../oauth/dpop/errors';
import { InvalidTokenError } from '../oauth/errors';
import type { OAuthContext } from '../oauth/ports';
import { type ResourceRequest, requireResourceAccess } from '../oauth/tokens/bearer';

export const CLAIMS_SUPPORTED = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'amr',
  'acr',
  'nonce',
  'sid',
  'at_hash',
  'name',
  'preferred_username',
  'updated_at',
  'email',
  'email_verified',
];

export async function userInfo(
  ctx: OAuthContext,
  request: ResourceRequest,
): Promise<Record<string, unknown>> {
  const token = await requireResourceAccess(ctx, request, 'openid');
  const user = await ctx.storage.users.getById(token.sub);
  if (!user?.enabled) {
    const description = 'the access token does not belong to an active user';
    throw token.jkt ? new DpopInvalidTokenError(description) : new InvalidTokenError(description);
  }
  const scopes = new Set(token.scope.split(' '));
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.has('profile')) {
    if (user.name !== null) claims.name = user.name;
    claims.preferred_username = user.username;
    claims.updated_at = user.updatedAt;
  }
  if (scopes.has('email') && user.email !== null) {
    claims.email = user.email;
    claims.email_verified = user.emailVerified;
  }
  return claims;
}
