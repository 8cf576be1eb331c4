/**
 * RFC 5869 HKDF-SHA-256: the key of one use of a configured secret, told apart from its other uses by
 * `salt` and `info`, so that no two features ever share a key.
 */
import { utf8 } from './encoding';

/** What the derived key is for: HMAC-SHA-256 signing, or AES-256-GCM encryption. */
const USES = {
  hmac: { algorithm: { name: 'HMAC', hash: 'SHA-256', length: 256 }, usages: ['sign'] },
  'aes-gcm': { algorithm: { name: 'AES-GCM', length: 256 }, usages: ['encrypt', 'decrypt'] },
} as const;

/** A non-extractable key derived from `secret` for `use`. */
export async function deriveKey(
  secret: string,
  salt: string,
  info: string,
  use: keyof typeof USES,
): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', utf8(secret), 'HKDF', false, ['deriveKey']);
  const { algorithm, usages } = USES[use];
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8(salt), info: utf8(info) },
    material,
    algorithm,
    false,
    [...usages],
  );
}

/** `deriveKey` for one use, derived once per isolate for each secret (the first derivation is shared). */
export function derivedKeyPerSecret(
  salt: string,
  info: string,
  use: keyof typeof USES,
): (secret: string) => Promise<CryptoKey> {
  const keys = new Map<string, Promise<CryptoKey>>();
  return (secret) => {
    let key = keys.get(secret);
    if (!key) {
      key = deriveKey(secret, salt, info, use);
      keys.set(secret, key);
    }
    return key;
  };
}
