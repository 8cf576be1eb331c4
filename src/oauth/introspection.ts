/**
 * RFC 7662 token introspection. A caller sees only tokens issued to it or naming it as audience;
 * everything else (unknown, expired, revoked, forged, `alg: none`, another client's) is `{active: false}`.
 * Refresh tokens are recognised by their format (the `token_type_hint` is not needed) and shown only
 * to the client they were issued to, and only while they can still be exchanged.
 */
import { sha256 } from '../crypto/hash';
import type { ClientRecord } from '../storage/ports';
import { resolveAccessToken } from './access-token';
import { type FormParams, required } from './form';
import type { OAuthContext } from './ports';
import { refreshTokenGrantId } from './refresh-token';

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
  const token = required(params, 'token');
  const refreshGrantId = refreshTokenGrantId(token);
  if (refreshGrantId) return introspectRefreshToken(ctx, token, refreshGrantId, caller);
  const info = await resolveAccessToken(ctx, token);
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
  // RFC 8693 §4.1: the actor of an exchanged token (with the earlier actors nested).
  if (info.act) response.act = info.act;
  // RFC 9449 §6.2: a DPoP-bound token names its key and its type.
  if (info.jkt) {
    response.token_type = 'DPoP';
    response.cnf = { jkt: info.jkt };
  }
  return response;
}

/**
 * A refresh token is active while it is its family's current token (not yet rotated) and the family
 * is neither revoked nor expired. `token_type` is omitted: RFC 7662 §2.2 defines it as the access
 * token type of RFC 6749 §7.1 (as node-oidc-provider does). `exp` is the family's absolute end.
 */
async function introspectRefreshToken(
  ctx: OAuthContext,
  token: string,
  grantId: string,
  caller: ClientRecord | null,
): Promise<IntrospectionResponse> {
  if (!caller) return { active: false };
  const state = await ctx.tokens.findRefreshToken(grantId, await sha256(token));
  if (!state?.current || state.family.clientId !== caller.clientId) return { active: false };
  const response: IntrospectionResponse = {
    active: true,
    client_id: state.family.clientId,
    exp: state.family.expiresAt,
    iat: state.issuedAt,
    sub: state.family.userId,
    iss: ctx.issuer,
    sid: state.family.sid,
  };
  if (state.family.scope) response.scope = state.family.scope;
  return response;
}
