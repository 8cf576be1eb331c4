/**
 * OpenID Connect Core §2 ID tokens: RS256 by default, or the client's `id_token_signed_response_alg`
 * (ES256), always with an ID-token key (never the access-token key) and `typ: JWT`.
 */
import { compactVerify, decodeProtectedHeader } from 'jose';
import { toBase64Url, utf8 } from '../crypto/encoding';
import { signJwt } from '../crypto/jws';
import type { IdTokenClaims, OAuthContext } from '../oauth/ports';
import type { ID_TOKEN_ALGS } from '../oauth/registration/oidc-metadata';
import type { ClientRecord } from '../storage/ports';

/** The `typ` of our ID tokens (access tokens are `at+jwt`, logout tokens `logout+jwt`). */
const ID_TOKEN_TYP = 'JWT';
/** ID token lifetime (also how long a replaced signing key keeps verifying, at least). */
export const ID_TOKEN_TTL_SECS = 3600;

export async function issueIdToken(
  ctx: OAuthContext,
  client: ClientRecord,
  claims: IdTokenClaims,
): Promise<string> {
  const keySet = await ctx.keys.keySet();
  const key = keySet.active.id_token[idTokenAlg(client)];
  if (!key) throw new Error(`no active ${idTokenAlg(client)} ID-token signing key`);
  const iat = ctx.clock.nowSecs();
  // OIDC Core §2: auth_time always (the session's sign-in); amr (RFC 8176) and acr when asserted.
  const payload: Record<string, unknown> = { auth_time: claims.authTime, sid: claims.sid };
  if (claims.amr?.length) payload.amr = claims.amr;
  if (claims.acr) payload.acr = claims.acr;
  if (claims.nonce !== null) payload.nonce = claims.nonce;
  // §3.1.3.6: at_hash of the access token issued alongside. No c_hash: ID tokens are issued only at the
  // token endpoint (no hybrid flow), where no code accompanies them.
  if (claims.accessToken !== null) payload.at_hash = await leftHalfHash(claims.accessToken);
  Object.assign(payload, await userClaims(ctx, claims));
  return signJwt(key, ID_TOKEN_TYP, {
    iss: ctx.issuer,
    sub: claims.sub,
    aud: client.clientId,
    iat,
    exp: iat + ID_TOKEN_TTL_SECS,
    ...payload,
  });
}

/**
 * The user's claims released by the granted scopes (§5.4), as the seed put them in its ID tokens:
 * `email`, `email_verified` (scope email), `preferred_username`, `name` (scope profile). The `claims`
 * parameter never widens this: a claim is released only under a scope the user consented to.
 */
async function userClaims(ctx: OAuthContext, claims: IdTokenClaims): Promise<Record<string, unknown>> {
  const email = claims.scope.includes('email');
  const profile = claims.scope.includes('profile');
  if (!email && !profile) return {};
  const user = await ctx.storage.users.getById(claims.sub);
  if (!user) return {};
  const released: Record<string, unknown> = {};
  if (profile) {
    released.preferred_username = user.username;
    if (user.name !== null) released.name = user.name;
  }
  if (email && user.email !== null) {
    released.email = user.email;
    released.email_verified = user.emailVerified;
  }
  return released;
}

/** The algorithm the client's ID tokens (and back-channel logout tokens) are signed with. */
export function idTokenAlg(client: ClientRecord): (typeof ID_TOKEN_ALGS)[number] {
  return client.metadata.id_token_signed_response_alg === 'ES256' ? 'ES256' : 'RS256';
}

/** Who an ID token names: its user and the clients it was issued to. */
export interface IdTokenSubject {
  sub: string;
  aud: string[];
}

/** Claims only other kinds of token carry: access tokens (RFC 9068 §2.2) and logout tokens (`events`). */
const FOREIGN_CLAIMS = ['client_id', 'scope', 'events'];

/**
 * An ID token this server issued, for RP-Initiated Logout's `id_token_hint`: signed by an ID-token key,
 * `typ: JWT`, our issuer, the claims we put in every ID token and none of another kind's. Its expiry is
 * not checked (RP-Initiated Logout §2 accepts an expired hint). Null for anything else.
 */
export async function verifyIdTokenHint(ctx: OAuthContext, token: string): Promise<IdTokenSubject | null> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return null;
  }
  if (header.typ !== ID_TOKEN_TYP || typeof header.kid !== 'string') return null;
  const key = await ctx.keys.verificationKey(header.kid, 'id_token');
  if (!key) return null;
  let claims: Record<string, unknown>;
  try {
    const { payload } = await compactVerify(token, key.publicKey, { algorithms: [key.alg] });
    const parsed: unknown = JSON.parse(new TextDecoder().decode(payload));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    claims = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  return idTokenSubject(claims, ctx.issuer);
}

/** The subject of claims shaped as our ID tokens are (see issueIdToken), else null. */
function idTokenSubject(claims: Record<string, unknown>, issuer: string): IdTokenSubject | null {
  const aud = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (
    claims.iss !== issuer ||
    typeof claims.sub !== 'string' ||
    !Array.isArray(aud) ||
    !aud.every((item) => typeof item === 'string') ||
    typeof claims.iat !== 'number' ||
    typeof claims.exp !== 'number' ||
    typeof claims.auth_time !== 'number' ||
    FOREIGN_CLAIMS.some((name) => name in claims)
  ) {
    return null;
  }
  return { sub: claims.sub, aud };
}

/** at_hash / c_hash: base64url of the left half of SHA-256 of the ASCII token (RS256 and ES256 both use SHA-256). */
async function leftHalfHash(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(token)));
  return toBase64Url(digest.slice(0, digest.length / 2));
}
