/**
 * RFC 8628 §6.1 user codes and device codes. A user code is 8 characters of BCDFGHJKLMNPQRSTVWXZ (no
 * vowels, so no words; no digits, so nothing to confuse with letters), 20^8 ≈ 2^34.6 values, shown as
 * `XXXX-XXXX` and accepted in any case, with or without the dash or spaces. The AuthActor shard of a
 * device authorization is derived from its user code, and the device code carries that shard as its
 * prefix: the verification page finds the user code and the token endpoint finds the device code in
 * the same object, with no index anywhere else.
 */
import { randomToken } from '../../crypto/random';

export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
/** Device codes: shard + 256 random bits (45 characters), like authorization codes. */
export const DEVICE_CODE_PATTERN = /^[0-9a-z]{2}[A-Za-z0-9_-]{43}$/;

/** A new user code, normalised (8 letters, no dash), drawn without modulo bias. */
export function newUserCode(): string {
  let code = '';
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) {
      // 240 = 12 × 20: bytes above it would favour the first letters.
      if (byte < 240 && code.length < USER_CODE_LENGTH) code += USER_CODE_ALPHABET[byte % 20];
    }
  }
  return code;
}

/**
 * What the user typed, normalised: upper case, dashes and whitespace dropped. Null when it cannot be
 * a user code (wrong length or a character outside the alphabet), so it never reaches an actor.
 */
export function normalizeUserCode(input: string | undefined): string | null {
  if (input === undefined || input.length > 64) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return null;
  for (const char of code) if (!USER_CODE_ALPHABET.includes(char)) return null;
  return code;
}

/** `BCDF-GHJK`: how a normalised user code is shown. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * The AuthActor shard of a user code: the code read as a base-20 number, modulo the shard count. User
 * codes are uniformly random, so shards fill evenly. Changing OAUTH2_TOKEN_ACTOR_SHARDS only strands
 * the user codes issued before the change (at most one device code lifetime).
 */
export function userCodeShard(code: string, shards: number): string {
  let value = 0;
  for (const char of code) value = (value * 20 + USER_CODE_ALPHABET.indexOf(char)) % shards;
  return value.toString(36).padStart(2, '0');
}

/** A device code in the shard of `userCode`. */
export function newDeviceCode(userCode: string, shards: number): string {
  return userCodeShard(userCode, shards) + randomToken(32);
}
