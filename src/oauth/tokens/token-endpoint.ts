/** RFC 6749 §3.2 token endpoint: authenticate the client, then dispatch on grant_type. */

import type { ClientRecord } from '../../storage/ports';
import { authenticateTokenClient, readClientCredentials } from '../client-auth/authenticate';
import { DEVICE_CODE_GRANT, DEVICE_CODE_RULE } from '../device/authorization';
import { deviceCodeGrant } from '../device/grant';
import { InvalidDpopProofError } from '../dpop/errors';
import { type DpopRequest, verifyDpopProof } from '../dpop/proof';
import { UnsupportedGrantTypeError } from '../errors';
import { type FormParams, required } from '../form';
import { AUTHORIZATION_CODE_RULE, type GrantRule, requireGrantType } from '../grant-permission';
import { authorizationCodeGrant } from '../grants/authorization-code';
import { clientCredentialsGrant } from '../grants/client-credentials';
import { JWT_BEARER_GRANT, jwtBearerGrant } from '../grants/jwt-bearer';
import { refreshTokenGrant } from '../grants/refresh-token';
import { TOKEN_EXCHANGE_GRANT, tokenExchangeGrant } from '../grants/token-exchange';
import type { TokenGrant, TokenResponse } from '../grants/token-response';
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

/** A grant type of this endpoint: who may use it, and the grant that answers. */
interface GrantEntry extends GrantRule {
  grant: TokenGrant;
}

const GRANT_ENTRIES: readonly GrantEntry[] = [
  { ...AUTHORIZATION_CODE_RULE, grant: authorizationCodeGrant },
  {
    grantType: 'client_credentials',
    label: 'client_credentials grant',
    confidentialOnly: 'public clients may not use the client_credentials grant',
    grant: clientCredentialsGrant,
  },
  { grantType: 'refresh_token', label: 'refresh_token grant', grant: refreshTokenGrant },
  {
    grantType: TOKEN_EXCHANGE_GRANT,
    label: 'token exchange grant',
    confidentialOnly: true,
    grant: tokenExchangeGrant,
  },
  { ...DEVICE_CODE_RULE, grant: deviceCodeGrant },
  { grantType: JWT_BEARER_GRANT, label: 'JWT bearer grant', confidentialOnly: true, grant: jwtBearerGrant },
];

/** The dispatch table, by `grant_type` (a Map: a form value never reaches an object's prototype). */
const GRANTS = new Map(GRANT_ENTRIES.map((entry) => [entry.grantType, entry]));

function dispatchGrant(
  ctx: OAuthContext,
  client: ClientRecord,
  grantType: string,
  params: FormParams,
): Promise<TokenResponse> {
  const entry = GRANTS.get(grantType);
  if (!entry) throw new UnsupportedGrantTypeError('this grant_type is not supported');
  requireGrantType(client, entry);
  return entry.grant(ctx, client, params);
}
