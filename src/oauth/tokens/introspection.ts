/**
 * RFC 7662 token introspection. A caller sees only tokens issued to it or naming it as audience;
 * everything else (unknown, expired, revoked, forged, `alg: none`, another client's) is `{active: false}`.
 * Refresh tokens are recognised by their format (the `token_type_hint` is not needed) and shown only
 * to the client they were issued to, and only while they can still be exchanged.
 *
 * RFC 9701: the same answer as a signed JWT (`typ: token-introspection+jwt`) for an authenticated caller
 * that asks for it by `Accept`, or that registered `introspection_signed_response_alg`.
 */
import { sha256 } from '../../crypto/hash';
import { signJwt } from '../../crypto/jws';
import type { ClientRecord } from '../../storage/ports';
import { InvalidClientError } from '../errors';
import { type FormParams, required } from '../form';
import type { OAuthContext } from '../ports';
import { resolveAccessToken } from './access-token';
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

/** RFC 9701 §4: the media type of a JWT introspection response, and (§5) its `typ` without `application/`. */
export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';
const INTROSPECTION_JWT_TYP = 'token-introspection+jwt';
/**
 * RFC 9701 §6/§7: the algorithms of introspection responses, RS256 by default (§6). They are signed
 * with the ID-token keys of that alg (the keys that sign what this server says to a client, published
 * in the JWKS), never with the access-token key, and their `typ` keeps them apart from ID tokens.
 */
export const INTROSPECTION_SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type IntrospectionSigningAlg = (typeof INTROSPECTION_SIGNING_ALGS)[number];

/** The q-value (RFC 9110 §12.4.2) `accept` gives each of `types` (exact media types or ranges). */
function acceptQuality(accept: string, types: readonly string[]): number {
  let best = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    if (!types.includes(type)) continue;
    const q = params.find((param) => /^q\s*=/.test(param));
    const value = q === undefined ? 1 : Number(q.slice(q.indexOf('=') + 1).trim());
    if (Number.isFinite(value) && value > best) best = Math.min(value, 1);
  }
  return best;
}

/**
 * RFC 9701 §4: the caller asks for a JWT when its `Accept` names `application/token-introspection+jwt`
 * (a wildcard does not), at least as strongly as JSON.
 */
export function acceptsJwtResponse(accept: string | undefined): boolean {
  if (!accept) return false;
  const jwt = acceptQuality(accept, [INTROSPECTION_JWT_MEDIA_TYPE]);
  return jwt > 0 && jwt >= acceptQuality(accept, ['application/json', 'application/*', '*/*']);
}

/**
 * Whether to answer `caller` with a JWT: it asked (`Accept`), or it registered
 * `introspection_signed_response_alg` (RFC 9701 §6: its responses are then signed). An unauthenticated
 * caller (public introspection) that asks is refused: the JWT's `aud` must name the recipient (§5), and an
 * unsigned JSON answer to a caller that asked for a signed one would pass for what it is not.
 */
export function jwtResponseWanted(caller: ClientRecord | null, accept: string | undefined): boolean {
  const asked = acceptsJwtResponse(accept);
  if (!caller) {
    if (asked)
      throw new InvalidClientError(
        'a JWT introspection response (RFC 9701) is only for an authenticated client',
      );
    return false;
  }
  return asked || introspectionAlgOf(caller) !== null;
}

/** The client's registered `introspection_signed_response_alg`, or null. */
function introspectionAlgOf(client: ClientRecord): IntrospectionSigningAlg | null {
  const alg = client.metadata.introspection_signed_response_alg;
  return (INTROSPECTION_SIGNING_ALGS as readonly unknown[]).includes(alg)
    ? (alg as IntrospectionSigningAlg)
    : null;
}

/**
 * RFC 9701 §5: the introspection response as a JWT for `caller`: `iss`, `aud` (the caller), `iat` and
 * `token_introspection` (the RFC 7662 answer, just `{active: false}` for an inactive token). No top-level
 * `sub` or `exp`, so it cannot pass for an access token. Signed with the caller's registered alg, else RS256.
 */
export async function introspectionJwt(
  ctx: OAuthContext,
  caller: ClientRecord,
  response: IntrospectionResponse,
): Promise<string> {
  const alg = introspectionAlgOf(caller) ?? 'RS256';
  const key = (await ctx.keys.keySet()).active.id_token[alg];
  if (!key) throw new Error(`no active ${alg} signing key for introspection responses`);
  return signJwt(key, INTROSPECTION_JWT_TYP, {
    iss: ctx.issuer,
    aud: caller.clientId,
    iat: ctx.clock.nowSecs(),
    token_introspection: response,
  });
}
