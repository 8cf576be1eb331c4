/**
 * RFC 8628 §3.4–3.5 device access token request: the AuthActor decides each poll atomically
 * (authorization_pending, slow_down, access_denied, expired_token, or the one redemption); on approval
 * the tokens are issued like at authorization code redemption: access token, a refresh token when the
 * client may have one (offline_access or first-party), an ID token for openid.
 */
import { RESOURCE_NOT_GRANTED } from '../authorization-state';
import { InvalidGrantError, InvalidTargetError } from '../errors';
import { tokenRevoked } from '../events';
import { required } from '../form';
import type { TokenGrant } from '../grants/token-response';
import { issueApprovedGrantTokens } from '../grants/user-grant-tokens';
import {
  audienceFor,
  requestedResources,
  resourcesForScopes,
  withinGrantedResources,
} from '../resources/indicators';
import { parseScope } from '../scopes/scope';
import { DEVICE_CODE_GRANT } from './authorization';
import { DEVICE_CODE_PATTERN } from './codes';
import {
  AuthorizationPendingError,
  DeviceAccessDeniedError,
  ExpiredTokenError,
  SlowDownError,
} from './errors';

export const deviceCodeGrant: TokenGrant = async (ctx, client, params) => {
  const deviceCode = required(params, 'device_code');
  if (!DEVICE_CODE_PATTERN.test(deviceCode)) throw new InvalidGrantError('unknown device code');
  // The device authorization names no resource, so its tokens are for the client alone (RFC 8707 §2.2).
  const resources = requestedResources(params, ctx.issuer, ctx.config);
  if (!withinGrantedResources(resources, [])) throw new InvalidTargetError(RESOURCE_NOT_GRANTED);
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
      await ctx.tokens.revoke(result.grantId, ctx.clock.nowSecs() + ctx.config.refreshTokenTtlSecs);
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
  // Checked at the device authorization already: the scopes are of one API at most.
  const apis = resourcesForScopes(parseScope(device.scope), [], ctx.config.scopes);
  ctx.events.publish({
    type: 'authorization_code_validated',
    clientId: client.clientId,
    userId: decision.userId,
    metadata: { flow: 'device_code', outcome: 'redeemed', grant_id: device.grantId },
  });
  return issueApprovedGrantTokens(ctx, client, {
    grantId: device.grantId,
    grantType: DEVICE_CODE_GRANT,
    userId: decision.userId,
    scope: device.scope,
    authTime: decision.authTime,
    sid: decision.sid,
    amr: decision.amr,
    acr: decision.acr,
    nonce: null,
    audience: audienceFor(apis, client.clientId),
    ...(apis.length > 0 ? { resources: apis } : {}),
  });
};
