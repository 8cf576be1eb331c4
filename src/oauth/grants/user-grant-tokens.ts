/**
 * The tokens of a grant a user approved, issued the same way whichever flow redeemed it (authorization
 * code, device code): the access token, a refresh token when the client may have one (offline_access or
 * first-party), an ID token for `openid`; then the grant's row for the admin view and `token_created`.
 */
import type { ClientRecord } from '../../storage/ports';
import type { SignInFacts } from '../authorization-state';
import type { DEVICE_CODE_GRANT } from '../device/authorization';
import { tokenCreated } from '../events';
import type { OAuthContext } from '../ports';
import { grantableScopes } from '../scopes/admin-scope';
import { issueAccessToken } from '../tokens/access-token';
import { issueInitialRefreshToken } from '../tokens/refresh-token';
import type { TokenResponse } from './token-response';

/** A grant the user approved; its sign-in facts (absent `amr`, `acr`: left out of the ID token). */
export interface ApprovedGrant extends SignInFacts {
  grantId: string;
  /** The grant type recorded and announced. */
  grantType: 'authorization_code' | typeof DEVICE_CODE_GRANT;
  userId: string;
  /** Space-separated, as approved. */
  scope: string;
  /** OIDC nonce of the authorization request (none for the device flow). */
  nonce: string | null;
  /** The access token's audience. */
  audience: string[];
  /** RFC 8707 resources the refresh token may ask for again. */
  resources?: string[];
}

export async function issueApprovedGrantTokens(
  ctx: OAuthContext,
  client: ClientRecord,
  grant: ApprovedGrant,
): Promise<TokenResponse> {
  // `admin` stays only while the user is an administrator (approved earlier, perhaps demoted since).
  const scope = await grantableScopes(ctx, grant.scope.split(' ').filter(Boolean), grant.userId);
  const access = await issueAccessToken(ctx, {
    grantId: grant.grantId,
    clientId: client.clientId,
    sub: grant.userId,
    scope,
    audience: grant.audience,
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.info.exp - access.info.iat,
  };
  if (access.info.scope) response.scope = access.info.scope;
  const refreshToken = await issueInitialRefreshToken(ctx, {
    grantId: grant.grantId,
    client,
    userId: grant.userId,
    scope,
    authTime: grant.authTime,
    sid: grant.sid,
    amr: grant.amr,
    acr: grant.acr,
    ...(grant.resources !== undefined ? { resources: grant.resources } : {}),
  });
  if (refreshToken) response.refresh_token = refreshToken;
  if (scope.includes('openid')) {
    response.id_token = await ctx.idTokens.issue(ctx, client, {
      sub: grant.userId,
      nonce: grant.nonce,
      authTime: grant.authTime,
      sid: grant.sid,
      amr: grant.amr,
      acr: grant.acr,
      scope,
      accessToken: access.token,
    });
  }
  await ctx.storage.grants.upsert({
    id: grant.grantId,
    clientId: client.clientId,
    userId: grant.userId,
    grantType: grant.grantType,
    scope: scope.join(' '),
    createdAt: access.info.iat,
    // A grant with a refresh token lives as long as its family may; otherwise as long as its access token.
    expiresAt: refreshToken ? access.info.iat + ctx.config.refreshTokenTtlSecs : access.info.exp,
    revokedAt: null,
    sid: grant.sid,
  });
  ctx.events.publish(
    tokenCreated(access.info, grant.grantType, {
      userId: grant.userId,
      refreshToken: refreshToken !== null,
      idToken: response.id_token !== undefined,
    }),
  );
  return response;
}
