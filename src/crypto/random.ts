/** CSPRNG values: opaque tokens, ids and secrets (crypto.getRandomValues). */
import { toBase64Url } from './encoding';

/** `bytes` random bytes as base64url; 32 bytes = 256 bits = 43 characters. */
export function randomToken(bytes = 32): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A 128-bit identifier (22 base64url characters). */
export function randomId(): string {
  return randomToken(16);
}
