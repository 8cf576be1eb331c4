/** SHA-256 digests of high-entropy secrets (tokens, client secrets) and constant-time comparison. */
import { toBase64Url, utf8 } from './encoding';

/** SHA-256 of a UTF-8 string, base64url. Only for random secrets with ≥ 128 bits; passwords use a slow hash. */
export async function sha256(value: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(value))));
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = utf8(a);
  const right = utf8(b);
  if (left.byteLength !== right.byteLength) {
    // Still spend the comparison so the early exit reveals only the length.
    crypto.subtle.timingSafeEqual(left, left);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}
