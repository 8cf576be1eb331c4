/** OpenID Connect Core §2 ID tokens: RS256 by default, or the client's `id_token_signed_response_alg` (ES256). */
import { toBase64Url, utf8 } from '../crypto/encoding';
import { signJwt } from '../crypto/jws';
import type { OAuthContext } from '../oauth/ports';
import type { ClientRecord } from '../storage/ports';

export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;
/** ID token lifetime (also how long a replaced signing key keeps verifying, at least). */
export const ID_TOKEN_TTL_SECS = 3600;

export interface IdTokenClaims {
  sub: string;
  nonce: string | null;
  authTime: number;
  sid: string;
  /** The access token issued alongside, for at_hash (§3.1.3.6). */
  accessToken: string | null;
}

export async function issueIdToken(
  ctx: OAuthContext,
  client: ClientRecord,
  claims: IdTokenClaims,
): Promise<string> {
  const keySet = await ctx.keys.keySet();
  const wanted = client.metadata.id_token_signed_response_alg === 'ES256' ? 'ES256' : 'RS256';
  const key = wanted === 'ES256' ? keySet.active.access_token : keySet.active.id_token;
  if (!key) throw new Error(`no active ${wanted} signing key`);
  const iat = ctx.now();
  const payload: Record<string, unknown> = { auth_time: claims.authTime, sid: claims.sid };
  if (claims.nonce !== null) payload.nonce = claims.nonce;
  if (claims.accessToken !== null) payload.at_hash = await leftHalfHash(claims.accessToken);
  return signJwt(key, 'JWT', {
    iss: ctx.issuer,
    sub: claims.sub,
    aud: client.clientId,
    iat,
    exp: iat + ID_TOKEN_TTL_SECS,
    ...payload,
  });
}

/** at_hash / c_hash: base64url of the left half of SHA-256 of the ASCII token (RS256 and ES256 both use SHA-256). */
async function leftHalfHash(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(token)));
  return toBase64Url(digest.slice(0, digest.length / 2));
}
