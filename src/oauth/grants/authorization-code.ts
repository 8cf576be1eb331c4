/**
 * RFC 6749 §4.1.3 authorization code exchange with RFC 7636 PKCE. The AuthActor checks the code's
 * binding (client, redirect URI, PKCE, RFC 9449 §10 `dpop_jkt`) and burns it atomically; a mismatch
 * burns nothing; a replayed code revokes every token it produced (RFC 9700 §4.5.3).
 */

import { RESOURCE_NOT_GRANTED } from '../authorization-state';
import { InvalidGrantError, InvalidTargetError } from '../errors';
import { tokenRevoked } from '../events';
import { required } from '../form';
import { verifierChallenge } from '../pkce';
import { audienceFor, requestedResources } from '../resources/indicators';
import { CODE_PATTERN } from '../sharded-id';
import type { TokenGrant } from './token-response';
import { issueApprovedGrantTokens } from './user-grant-tokens';

export const authorizationCodeGrant: TokenGrant = async (ctx, client, params) => {
  const code = required(params, 'code');
  const codeChallenge = await verifierChallenge(params.get('code_verifier'));
  if (!CODE_PATTERN.test(code)) throw new InvalidGrantError('unknown authorization code');
  // RFC 8707 §2.2: known resources only; the AuthActor checks they were granted (without burning the code).
  const resources = requestedResources(params, ctx.issuer, ctx.config);
  const result = await ctx.auth.redeemCode(code, {
    clientId: client.clientId,
    redirectUri: params.get('redirect_uri'),
    codeChallenge,
    ...(resources.length > 0 ? { resources } : {}),
    // RFC 9449 §10: the key of the request's DPoP proof, checked against a dpop_jkt-bound code.
    ...(ctx.confirmation ? { dpopJkt: ctx.confirmation.jkt } : {}),
  });
  if (result.status === 'replayed') {
    await ctx.tokens.revoke(result.grantId, ctx.clock.nowSecs() + ctx.config.refreshTokenTtlSecs);
    ctx.events.publish({
      type: 'authorization_code_validated',
      severity: 'warning',
      clientId: client.clientId,
      metadata: { outcome: 'replayed', grant_id: result.grantId },
    });
    ctx.events.publish(tokenRevoked(result.grantId, 'code_replay', { clientId: client.clientId }));
    throw new InvalidGrantError('the authorization code was already used; its tokens are revoked');
  }
  if (result.status === 'invalid' && result.reason === RESOURCE_NOT_GRANTED) {
    throw new InvalidTargetError(result.reason);
  }
  if (result.status === 'invalid') throw new InvalidGrantError(result.reason);

  const granted = result.code;
  ctx.events.publish({
    type: 'authorization_code_validated',
    clientId: client.clientId,
    userId: granted.userId,
    metadata: { outcome: 'redeemed', grant_id: granted.grantId },
  });
  return issueApprovedGrantTokens(ctx, client, {
    grantId: granted.grantId,
    grantType: 'authorization_code',
    userId: granted.userId,
    scope: granted.scope,
    authTime: granted.authTime,
    sid: granted.sid,
    amr: granted.amr,
    acr: granted.acr,
    nonce: granted.nonce,
    audience: audienceFor(resources.length > 0 ? resources : (granted.resources ?? []), client.clientId),
    ...(granted.resources !== undefined ? { resources: granted.resources } : {}),
  });
};
