/**
 * The HS256 access-token key (OAUTH2_ACCESS_TOKEN_SIGNING_ALG=HS256): OAUTH2_JWT_SECRET's bytes as the
 * HMAC-SHA256 key (RFC 7518 §3.2), as the seed's `jsonwebtoken` used it. A symmetric key signs and verifies
 * alike, so it is never published in the JWKS: only this server verifies these tokens (introspection,
 * userinfo, bearer checks); resource servers must introspect them. The `kid` names the secret (a truncated
 * HMAC of a fixed label, which reveals nothing of it), so a token signed under a former secret is told apart
 * before any signature check, and the header keeps the shape of the ES256 tokens (`alg`, `typ`, `kid`).
 */
import { toBase64Url, utf8 } from './encoding';
import type { JwsKey } from './jws';

const KID_LABEL = 'oauth2-access-token-hs256-kid';

/** Imported keys by secret (one secret lives at a time; a handful of entries at most in tests). */
const keys = new Map<string, JwsKey>();
const MAX_KEYS = 4;

/** The HS256 signing (and verification) key of `secret`, imported once per isolate. */
export async function accessTokenSecretKey(secret: string): Promise<JwsKey> {
  const known = keys.get(secret);
  if (known !== undefined) return known;
  const privateKey = await crypto.subtle.importKey(
    'raw',
    utf8(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  const tag = new Uint8Array(await crypto.subtle.sign('HMAC', privateKey, utf8(KID_LABEL)));
  const key: JwsKey = { kid: `hs256-${toBase64Url(tag.slice(0, 12))}`, alg: 'HS256', privateKey };
  if (keys.size >= MAX_KEYS) keys.clear();
  keys.set(secret, key);
  return key;
}
