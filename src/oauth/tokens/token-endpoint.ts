/** RFC 6749 §3.2 token endpoint: authenticate the client, then dispatch on grant_type. */

import type { ClientRecord } from '../../storage/ports';
import { authenticateTokenClient, readClientCredentials } from '../client-auth/authenticate';
import { DEVICE_CODE_GRANT } from '../device/authorization';
import { deviceCodeGrant } from '../device/grant';
import { InvalidDpopProofError } from '../dpop/errors';
import { type DpopRequest, verifyDpopProof } from '../dpop/proof';
import { UnauthorizedClientError, UnsupportedGrantTypeError } from '../errors';
import { type FormParams, required } from '../form';
import { authorizationCodeGrant } from '../grants/authorization-code';
import { clientCredentialsGrant } from '../grants/client-credentials';
import { JWT_BEARER_GRANT, jwtBearerGrant } from '../grants/jwt-bearer';
import { refreshTokenGrant } from '../grants/refresh-token';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from '../grants/token-exchange';
import type { TokenResponse } from '../grants/token-response';
import type { OAuthContext } from '../ports';
import { noteFirstUse } from '../registration/unused';

/** The grant types this server implements (advertised in discovery). */
export const GRANT_TYPES_SUPPORTED = [
  'authorization_code',
  'client_credentials',
  'refresh_token',
  TOKEN_EXCHANGE_GRANT,
  DEVICE_CODE_GRANT,
  JWT_BEARER_GRANT,
] as const;

export async function tokenRequest(
  ctx: OAuthContext,
  params: FormParams,
  authorization: string | undefined,
  dpop?: DpopRequest,
): Promise<TokenResponse> {
  const grantType = required(params, 'grant_type');
  const client = await authenticateTokenClient(ctx, readClientCredentials(authorization, params));
  // RFC 9449 §5: a valid proof binds every token this request issues to its key (`token_type: DPoP`).
  const proof = dpop ? await verifyDpopProof(ctx, dpop, 'token') : null;
  if (!proof && client.metadata.dpop_bound_access_tokens === true) {
    throw new InvalidDpopProofError('this client must send a DPoP proof (dpop_bound_access_tokens)');
  }
  if (!proof) return grantTokens(ctx, client, grantType, params);
  const response = await grantTokens({ ...ctx, confirmation: { jkt: proof.jkt } }, client, grantType, params);
  return { ...response, token_type: 'DPoP' };
}

/** The grant's tokens; the first token of an anonymous registration also marks it used (registration/unused.ts). */
async function grantTokens(
  ctx: OAuthContext,
  client: ClientRecord,
  grantType: string,
  params: FormParams,
): Promise<TokenResponse> {
  const response = await dispatchGrant(ctx, client, grantType, params);
  await noteFirstUse(ctx, client);
  return response;
}

async function dispatchGrant(
  ctx: OAuthContext,
  client: ClientRecord,
  grantType: string,
  params: FormParams,
): Promise<TokenResponse> {
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
    case TOKEN_EXCHANGE_GRANT:
      return tokenExchangeGrant(ctx, client, params);
    case DEVICE_CODE_GRANT:
      return deviceCodeGrant(ctx, client, params);
    case JWT_BEARER_GRANT:
      return jwtBearerGrant(ctx, client, params);
    default:
      throw new UnsupportedGrantTypeError('this grant_type is not supported');
  }
}
