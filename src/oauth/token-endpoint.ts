/** RFC 6749 §3.2 token endpoint: authenticate the client, then dispatch on grant_type. */
import { authenticateTokenClient, readClientCredentials } from './client-auth';
import { UnauthorizedClientError, UnsupportedGrantTypeError } from './errors';
import { type FormParams, required } from './form';
import { authorizationCodeGrant } from './grants/authorization-code';
import { clientCredentialsGrant } from './grants/client-credentials';
import { refreshTokenGrant } from './grants/refresh-token';
import type { TokenResponse } from './grants/token-response';
import type { OAuthContext } from './ports';

/** The grant types this server implements (advertised in discovery). */
export const GRANT_TYPES_SUPPORTED = ['authorization_code', 'client_credentials', 'refresh_token'] as const;

export async function tokenRequest(
  ctx: OAuthContext,
  params: FormParams,
  authorization: string | undefined,
): Promise<TokenResponse> {
  const grantType = required(params, 'grant_type');
  const client = await authenticateTokenClient(
    ctx.clients,
    readClientCredentials(authorization, params),
    ctx.now(),
  );
  switch (grantType) {
    case 'authorization_code':
      return authorizationCodeGrant(ctx, client, params);
    case 'client_credentials':
      if (client.tokenEndpointAuthMethod === 'none') {
        throw new UnauthorizedClientError('public clients may not use the client_credentials grant');
      }
      return clientCredentialsGrant(ctx, client, params);
    case 'refresh_token':
      return refreshTokenGrant(ctx, client, params);
    default:
      throw new UnsupportedGrantTypeError('this grant_type is not supported');
  }
}
