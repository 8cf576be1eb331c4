/**
 * The answer of a grant that issues an access token and nothing else (RFC 6749 §4.4.3, RFC 7521 §5.2: no
 * refresh token, no ID token): a grant of its own, the token, and its token_created event.
 */
import type { ClientRecord } from '../../storage/ports';
import { tokenCreated } from '../events';
import type { OAuthContext } from '../ports';
import { audienceFor } from '../resources/indicators';
import { newGrantId } from '../sharded-id';
import { issueAccessToken } from '../tokens/access-token';
import type { TokenResponse } from './token-response';

export interface AccessTokenOnly {
  client: ClientRecord;
  sub: string;
  scope: string[];
  /** The RFC 8707 resources of the scope; none: the client itself is the audience. */
  resources: string[];
  grantType: Parameters<typeof tokenCreated>[1];
}

export async function accessTokenOnly(ctx: OAuthContext, request: AccessTokenOnly): Promise<TokenResponse> {
  const { token, info } = await issueAccessToken(ctx, {
    grantId: newGrantId(ctx.config.tokenActorShards),
    clientId: request.client.clientId,
    sub: request.sub,
    scope: request.scope,
    audience: audienceFor(request.resources, request.client.clientId),
  });
  const response: TokenResponse = {
    access_token: token,
    token_type: 'Bearer',
    expires_in: info.exp - info.iat,
  };
  if (info.scope) response.scope = info.scope;
  ctx.events.publish(tokenCreated(info, request.grantType));
  return response;
}
