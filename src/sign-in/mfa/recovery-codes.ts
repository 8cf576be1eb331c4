/**
 * Recovery codes: ten one-time codes shown once when an authenticator app is set up, for when the app
 * is lost. Each holds 80 random bits (sixteen base32 characters, shown in groups of four); only
 * their SHA-256 is stored, and a code is used up by one conditional delete (MfaStore.consumeRecoveryCode).
 */
import { sha256 } from '../../crypto/hash';
import { toBase32 } from './base32';

export const RECOVERY_CODE_COUNT = 10;

/** Ten new codes, formatted `xxxx-xxxx-xxxx-xxxx` (lower case: easier to read back). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = toBase32(crypto.getRandomValues(new Uint8Array(10))).toLowerCase();
    return chars.match(/.{4}/g)?.join('-') ?? chars;
  });
}

/** A code as typed (any case, with or without the hyphen or spaces), or null when it cannot be one. */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toLowerCase();
  return /^[a-z2-7]{16}$/.test(code) ? code : null;
}

/** The stored form of a code (normalised first): SHA-256, base64url. */
export function hashRecoveryCode(normalised: string): Promise<string> {
  return sha256(`recovery-code:${normalised}`);
}
