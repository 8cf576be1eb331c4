/** RFC 6749 §3.2 token endpoint: authenticate the client, then dispatch on grant_type. */
import { authenticateClient, readClientCredentials } from './client-auth';
import { UnsupportedGrantTypeError } from './errors';
import { type FormParams, required } from './form';
import { clientCredentialsGrant } from './grants/client-credentials';
import type { TokenResponse } from './grants/token-response';
import type { OAuthContext } from './ports';

/** The grant types this server implements (advertised in discovery). */
export const GRANT_TYPES_SUPPORTED = ['client_credentials'] as const;

export async function tokenRequest(
  ctx: OAuthContext,
  params: FormParams,
  authorization: string | undefined,
): Promise<TokenResponse> {
  const grantType = required(params, 'grant_type');
  const client = await authenticateClient(
    ctx.clients,
    readClientCredentials(authorization, params),
    ctx.now(),
  );
  switch (grantType) {
    case 'client_credentials':
      return clientCredentialsGrant(ctx, client, params);
    default:
      throw new UnsupportedGrantTypeError('this grant_type is not supported');
  }
}
