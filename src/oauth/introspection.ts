/**
 * RFC 7662 token introspection. A caller sees only tokens issued to it or naming it as audience;
 * everything else (unknown, expired, revoked, forged, `alg: none`, another client's) is `{active: false}`.
 */
import type { ClientRecord } from '../storage/ports';
import { resolveAccessToken } from './access-token';
import { type FormParams, required } from './form';
import type { OAuthContext } from './ports';

export interface IntrospectionResponse {
  active: boolean;
  [claim: string]: unknown;
}

/** `caller` is null only when OAUTH2_PUBLIC_INTROSPECTION=true and the request was not authenticated. */
export async function introspect(
  ctx: OAuthContext,
  params: FormParams,
  caller: ClientRecord | null,
): Promise<IntrospectionResponse> {
  const info = await resolveAccessToken(ctx, required(params, 'token'));
  if (!info) return { active: false };
  if (caller && info.clientId !== caller.clientId && !info.aud.includes(caller.clientId))
    return { active: false };
  const response: IntrospectionResponse = {
    active: true,
    client_id: info.clientId,
    token_type: 'Bearer',
    exp: info.exp,
    iat: info.iat,
    nbf: info.iat,
    sub: info.sub,
    aud: info.aud.length === 1 ? info.aud[0] : info.aud,
    iss: ctx.issuer,
    jti: info.jti,
  };
  if (info.scope) response.scope = info.scope;
  return response;
}
