/**
 * RFC 6749 §6 refreshing an access token, OAuth 2.1 §4.3: rotation on every use with reuse detection
 * (RFC 9700 §4.14.2), scope that may only narrow, the family's absolute lifetime, and an optional
 * benign-retry window (OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS).
 */
import type { Config } from '../../config';
import { sha256 } from '../../crypto/hash';
import type { UserRecord } from '../../storage/ports';
import { InvalidGrantError, InvalidScopeError, InvalidTargetError } from '../errors';
import { tokenCreated, tokenRevoked } from '../events';
import { required } from '../form';
import type { RefreshFamily, RotationResult } from '../ports';
import { audienceFor, requestedResources } from '../resources/indicators';
import { scopesForUser } from '../scopes/admin-scope';
import { parseScope } from '../scopes/scope';
import { issueAccessToken } from '../tokens/access-token';
import { refreshTokenGrantId, successorRefreshToken } from '../tokens/refresh-token';
import type { TokenGrant, TokenResponse } from './token-response';

export const refreshTokenGrant: TokenGrant = async (ctx, client, params) => {
  const token = required(params, 'refresh_token');
  const requested = parseScope(params.get('scope'));
  // RFC 8707 §2.2: known resources; the TokenActor checks they are within the family's (not consuming the token).
  const resources = requestedResources(params, ctx.issuer, ctx.config);
  const grantId = refreshTokenGrantId(token);
  if (!grantId) throw new InvalidGrantError('unknown refresh token');

  const successor = await successorRefreshToken(ctx.config, token, grantId);
  const result = await ctx.tokens.rotateRefreshToken(grantId, {
    hash: await sha256(token),
    successorHash: await sha256(successor),
    clientId: client.clientId,
    scope: requested,
    reuseIntervalSecs: ctx.config.refreshTokenReuseIntervalSecs,
    accessTokenExpiresAt: ctx.clock.nowSecs() + ctx.config.accessTokenTtlSecs,
    jkt: ctx.confirmation?.jkt,
    ...(resources.length > 0 ? { resources } : {}),
  });
  if (result.status === 'reused') {
    ctx.events.publish(tokenRevoked(grantId, 'refresh_token_reuse', { clientId: client.clientId }));
  }
  const family = rotatedFamily(result);
  const user = await ctx.storage.users.getById(family.userId);
  if (!user?.enabled) {
    await ctx.tokens.revoke(grantId, family.expiresAt);
    ctx.events.publish(
      tokenRevoked(grantId, 'user_disabled', { clientId: client.clientId, userId: family.userId }),
    );
    throw new InvalidGrantError('the user of this grant is disabled or deleted');
  }

  const scope = issuedScope(requested, family, user, ctx.config);
  const access = await issueAccessToken(ctx, {
    grantId,
    clientId: client.clientId,
    sub: family.userId,
    scope,
    audience: audienceFor(resources.length > 0 ? resources : (family.resources ?? []), client.clientId),
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.info.exp - access.info.iat,
    refresh_token: successor,
  };
  if (access.info.scope) response.scope = access.info.scope;
  // OIDC Core §12.2: a fresh ID token for the same sign-in (no nonce: there is no new request).
  if (scope.includes('openid')) {
    response.id_token = await ctx.idTokens.issue(ctx, client, {
      sub: family.userId,
      nonce: null,
      authTime: family.authTime,
      sid: family.sid,
      amr: family.amr,
      acr: family.acr,
      scope,
      accessToken: access.token,
    });
  }
  ctx.events.publish(
    tokenCreated(access.info, 'refresh_token', {
      userId: family.userId,
      refreshToken: true,
      idToken: response.id_token !== undefined,
    }),
  );
  return response;
};

/** The family of a successful rotation; every other outcome is the RFC error it stands for. */
function rotatedFamily(result: RotationResult): RefreshFamily {
  switch (result.status) {
    case 'rotated':
      return result.family;
    case 'invalid':
      throw new InvalidGrantError(result.reason);
    case 'invalid_scope':
      throw new InvalidScopeError(result.reason);
    case 'invalid_target':
      throw new InvalidTargetError(result.reason);
    case 'reused':
      throw new InvalidGrantError('the refresh token was already used; its grant is revoked');
  }
}

/**
 * The access token's scope: what was asked for (already checked to be within the family's), else the
 * family's (RFC 6749 §6). `admin` is dropped for a user who is no longer an administrator.
 */
function issuedScope(requested: string[], family: RefreshFamily, user: UserRecord, config: Config): string[] {
  const scope = requested.length > 0 ? requested : family.scope.split(' ').filter(Boolean);
  return scopesForUser(scope, user, config);
}
