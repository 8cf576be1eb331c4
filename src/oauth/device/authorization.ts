/**
 * RFC 8628 §3.1–3.2 device authorization endpoint: authenticate the client as at the token endpoint
 * (a public client by client_id alone), validate the scope, store the device authorization in the
 * AuthActor of its user code's shard, list it in the operators' index (./pending-index.ts), and answer
 * the codes and where the user goes.
 */
import { authenticateTokenClient, readClientCredentials } from '../client-auth/authenticate';
import { ServiceUnavailableError } from '../errors';
import type { FormParams } from '../form';
import { type GrantRule, requireGrantType } from '../grant-permission';
import type { OAuthContext } from '../ports';
import { resourcesForScopes } from '../resources/indicators';
import { grantScope } from '../scopes/scope';
import { newGrantId } from '../sharded-id';
import { formatUserCode, newDeviceCode, newUserCode } from './codes';
import { indexPendingDevice } from './pending-index';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The device flow, at the device authorization endpoint and the token endpoint. */
export const DEVICE_CODE_RULE: GrantRule = {
  grantType: DEVICE_CODE_GRANT,
  label: 'device authorization grant',
};
export const DEVICE_AUTHORIZATION_PATH = '/oauth/device_authorization';
export const DEVICE_VERIFICATION_PATH = '/oauth/device/verify';

/** RFC 8628 §3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Draws of a user code before giving up; a collision needs a live code in the same shard. */
const MAX_DRAWS = 5;

export async function deviceAuthorizationRequest(
  ctx: OAuthContext,
  params: FormParams,
  authorization: string | undefined,
): Promise<DeviceAuthorizationResponse> {
  const client = await authenticateTokenClient(ctx, readClientCredentials(authorization, params));
  requireGrantType(client, DEVICE_CODE_RULE);
  const scopes = grantScope(params.get('scope'), client.scope, ctx.config.scopes);
  // No resource is named here: scopes of two APIs are refused now rather than at the token request.
  resourcesForScopes(scopes, [], ctx.config.scopes);
  const scope = scopes.join(' ');
  const { deviceCodeTtlSecs: ttl, deviceCodeIntervalSecs: interval, tokenActorShards } = ctx.config;
  const now = ctx.clock.nowSecs();
  const expiresAt = now + ttl;
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    const userCode = newUserCode();
    const deviceCode = newDeviceCode(userCode, tokenActorShards);
    const device = {
      clientId: client.clientId,
      scope,
      grantId: newGrantId(tokenActorShards),
      expiresAt,
      interval,
    };
    if (await ctx.auth.saveDevice(deviceCode, userCode, device)) {
      await indexPendingDevice(ctx, {
        userCode,
        clientId: client.clientId,
        scope,
        createdAt: now,
        expiresAt,
      });
      const verificationUri = `${ctx.issuer}${DEVICE_VERIFICATION_PATH}`;
      const shown = formatUserCode(userCode);
      return {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${shown}`,
        expires_in: ttl,
        interval,
      };
    }
  }
  throw new ServiceUnavailableError('no user code is free right now; try again');
}
