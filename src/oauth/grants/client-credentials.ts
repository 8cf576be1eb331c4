/**
 * RFC 6749 §4.4 client credentials grant: confidential clients only, no refresh token, sub = client_id;
 * scope `admin` only for a client an administrator registered with it.
 */
import { InvalidScopeError } from '../errors';
import { registeredItself } from '../registration/provenance';
import { requestedResources, scopeTarget } from '../resources/indicators';
import { ADMIN_SCOPE, hasAdminScope } from '../scopes/admin-scope';
import { grantScope, USER_SCOPES } from '../scopes/scope';
import { accessTokenOnly } from './access-token-only';
import type { TokenGrant } from './token-response';

export const clientCredentialsGrant: TokenGrant = async (ctx, client, params) => {
  // A client acting for itself gets no user (OpenID) scopes unless it names them.
  const allowed = grantScope(params.get('scope'), client.scope, ctx.config.scopes, USER_SCOPES);
  const { scopes: scope, resources } = scopeTarget(
    allowed,
    params.get('scope') !== undefined,
    requestedResources(params, ctx.issuer, ctx.config),
    ctx.config.scopes,
  );
  // Administration for itself only when an administrator registered the client with it.
  if (hasAdminScope(scope) && registeredItself(client)) {
    throw new InvalidScopeError(`a client that registered itself cannot use scope ${ADMIN_SCOPE} for itself`);
  }
  return accessTokenOnly(ctx, {
    client,
    sub: client.clientId,
    scope,
    resources,
    grantType: 'client_credentials',
  });
};
