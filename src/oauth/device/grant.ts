/**
 * RFC 8628 §3.4–3.5 device access token request: the AuthActor decides each poll atomically
 * (authorization_pending, slow_down, access_denied, expired_token, or the one redemption); on approval
 * the tokens are issued like at authorization code redemption: access token, a refresh token when the
 * client may have one (offline_access or first-party), an ID token for openid.
 */
import { issueIdToken } from '../../oidc/id-token';
import type { ClientRecord } from '../../storage/ports';
import { issueAccessToken } from '../access-token';
import { InvalidGrantError, UnauthorizedClientError } from '../errors';
import { tokenCreated, tokenRevoked } from '../events';
import { type FormParams, required } from '../form';
import type { TokenResponse } from '../grants/token-response';
import type { OAuthContext } from '../ports';
import { issueInitialRefreshToken } from '../refresh-token';
import { DEVICE_CODE_GRANT } from './authorization';
import { DEVICE_CODE_PATTERN } from './codes';
import {
  AuthorizationPendingError,
  DeviceAccessDeniedError,
  ExpiredTokenError,
  SlowDownError,
} from './errors';

export async function deviceCodeGrant(
  ctx: OAuthContext,
  client: ClientRecord,
  params: FormParams,
): Promise<TokenResponse> {
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) {
    throw new UnauthorizedClientError('this client may not use the device authorization grant');
  }
  const deviceCode = required(params, 'device_code');
  if (!DEVICE_CODE_PATTERN.test(deviceCode)) throw new InvalidGrantError('unknown device code');
  const result = await ctx.auth.pollDevice(deviceCode, client.clientId);
  switch (result.status) {
    case 'pending':
      throw new AuthorizationPendingError();
    case 'slow_down':
      throw new SlowDownError(result.interval);
    case 'denied':
      throw new DeviceAccessDeniedError();
    case 'expired':
      throw new ExpiredTokenError();
    case 'invalid':
      throw new InvalidGrantError(result.reason);
    case 'replayed':
      await ctx.tokens.revokeGrant(result.grantId, ctx.now() + ctx.config.refreshTokenTtlSecs);
      ctx.events.publish({
        type: 'authorization_code_validated',
        severity: 'warning',
        clientId: client.clientId,
        metadata: { flow: 'device_code', outcome: 'replayed', grant_id: result.grantId },
      });
      ctx.events.publish(tokenRevoked(result.grantId, 'code_replay', { clientId: client.clientId }));
      throw new InvalidGrantError('the device code was already used; its tokens are revoked');
    case 'approved':
      break;
  }
  const { device, decision } = result;
  ctx.events.publish({
    type: 'authorization_code_validated',
    clientId: client.clientId,
    userId: decision.userId,
    metadata: { flow: 'device_code', outcome: 'redeemed', grant_id: device.grantId },
  });
  const scope = device.scope.split(' ').filter(Boolean);
  const access = await issueAccessToken(ctx, {
    grantId: device.grantId,
    clientId: client.clientId,
    sub: decision.userId,
    scope,
    audience: [client.clientId],
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.info.exp - access.info.iat,
  };
  if (access.info.scope) response.scope = access.info.scope;
  const refreshToken = await issueInitialRefreshToken(ctx, {
    grantId: device.grantId,
    client,
    userId: decision.userId,
    scope,
    authTime: decision.authTime,
    sid: decision.sid,
  });
  if (refreshToken) response.refresh_token = refreshToken;
  if (scope.includes('openid')) {
    response.id_token = await issueIdToken(ctx, client, {
      sub: decision.userId,
      nonce: null,
      authTime: decision.authTime,
      sid: decision.sid,
      accessToken: access.token,
    });
  }
  await ctx.storage.grants.upsert({
    id: device.grantId,
    clientId: client.clientId,
    userId: decision.userId,
    grantType: DEVICE_CODE_GRANT,
    scope: device.scope,
    createdAt: access.info.iat,
    expiresAt: refreshToken ? access.info.iat + ctx.config.refreshTokenTtlSecs : access.info.exp,
    revokedAt: null,
    sid: decision.sid,
  });
  ctx.events.publish(
    tokenCreated(access.info, DEVICE_CODE_GRANT, {
      userId: decision.userId,
      refreshToken: refreshToken !== null,
      idToken: response.id_token !== undefined,
    }),
  );
  return response;
}
