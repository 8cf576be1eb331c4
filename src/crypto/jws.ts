/**
 * Compact JWS signing (RFC 7515 §7.1) of JWTs with our own signing keys (ES256 or HS256 access tokens,
 * RS256 or ES256 ID tokens), straight on WebCrypto: the token endpoint signs on every request, and this skips the
 * generic builder's per-call work (claim validation, header checks, key-type lookups) while producing the
 * same bytes a JWS library would. The encoded header of a key is computed once. Verification stays with
 * jose (test/workers/jws.test.ts checks these tokens with it).
 */
import { toBase64Url, utf8 } from './encoding';

/** A private (or, for HS256, secret) signing key and how it is announced. */
export interface JwsKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
}

/** WebCrypto parameters per JWS alg (RFC 7518 §3), with the key algorithm each needs. */
const ALGORITHMS: Record<
  string,
  { sign: { name: string; hash?: string }; key: string; curve?: string; keyHash?: string }
> = {
  ES256: { sign: { name: 'ECDSA', hash: 'SHA-256' }, key: 'ECDSA', curve: 'P-256' },
  RS256: { sign: { name: 'RSASSA-PKCS1-v1_5' }, key: 'RSASSA-PKCS1-v1_5' },
  // HS256 access tokens under OAUTH2_JWT_SECRET (src/crypto/access-token-secret.ts).
  HS256: { sign: { name: 'HMAC' }, key: 'HMAC', keyHash: 'SHA-256' },
};

/** Encoded protected headers by alg, typ and kid (a handful of keys live at a time). */
const headers = new Map<string, string>();
const MAX_HEADERS = 64;

function encodedHeader(key: JwsKey, typ: string): string {
  const id = `${key.alg}\u0000${typ}\u0000${key.kid}`;
  let header = headers.get(id);
  if (header === undefined) {
    if (headers.size >= MAX_HEADERS) headers.clear();
    header = toBase64Url(utf8(JSON.stringify({ alg: key.alg, typ, kid: key.kid })));
    headers.set(id, header);
  }
  return header;
}

/** The JWT `header.payload.signature` of `claims`, signed with `key` (ES256, RS256 or HS256). */
export async function signJwt(key: JwsKey, typ: string, claims: Record<string, unknown>): Promise<string> {
  const algorithm = ALGORITHMS[key.alg];
  const keyAlgorithm = key.privateKey.algorithm as {
    name: string;
    namedCurve?: string;
    hash?: { name: string };
  };
  if (
    algorithm === undefined ||
    keyAlgorithm.name !== algorithm.key ||
    (algorithm.curve !== undefined && keyAlgorithm.namedCurve !== algorithm.curve) ||
    (algorithm.keyHash !== undefined && keyAlgorithm.hash?.name !== algorithm.keyHash)
  ) {
    throw new TypeError(`key ${key.kid} cannot sign ${key.alg}`);
  }
  const input = `${encodedHeader(key, typ)}.${toBase64Url(utf8(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign(algorithm.sign, key.privateKey, utf8(input));
  return `${input}.${toBase64Url(new Uint8Array(signature))}`;
}
