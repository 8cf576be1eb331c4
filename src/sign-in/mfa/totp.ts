/**
 * RFC 6238 TOTP over RFC 4226 HOTP: HMAC-SHA-1, 6 digits, 30-second steps from the Unix epoch. A secret
 * is 160 random bits (RFC 4226 §4 R6 asks at least 128, recommends 160). A code is accepted in its step
 * and one step either side (§5.2, clock drift); single use is the store's (MfaStore.acceptTotpStep).
 */
import { constantTimeEqual } from '../../crypto/hash';
import { fromBase32, toBase32 } from './base32';

/** §4: X, the time step in seconds. */
export const TOTP_STEP_SECS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (§5.2). */
const DRIFT_STEPS = 1;
const SECRET_BYTES = 20;

/** A new secret: 160 bits from the CSPRNG, base32 (32 characters). */
export function newTotpSecret(): string {
  return toBase32(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
}

/** §4.2: T, the number of whole steps since the epoch at `nowSecs`. */
export function totpStep(nowSecs: number): number {
  return Math.floor(nowSecs / TOTP_STEP_SECS);
}

/** RFC 4226 §5.3: HOTP(K, C) with dynamic truncation, `digits` long (zero-padded). */
export async function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): Promise<string> {
  const message = new Uint8Array(8);
  // The counter is 8 bytes big-endian; steps fit in 53 bits, so split into two 32-bit halves.
  new DataView(message.buffer).setUint32(0, Math.floor(counter / 2 ** 32));
  new DataView(message.buffer).setUint32(4, counter >>> 0);
  const hmacKey = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(key),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', hmacKey, message));
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = new DataView(mac.buffer).getUint32(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code of a base32 secret at time step `step`. */
export function totpCode(secret: string, step: number): Promise<string> {
  return hotp(fromBase32(secret), step);
}

/** Only a string of exactly six digits (spaces removed) can be a code. */
export function normaliseTotpCode(input: string): string | null {
  const code = input.replace(/\s/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step whose code `code` is, among the current step and one either side at `nowSecs`; null
 * when none matches. Every candidate is computed and compared in constant time.
 */
export async function matchTotpStep(secret: string, code: string, nowSecs: number): Promise<number | null> {
  const current = totpStep(nowSecs);
  let matched: number | null = null;
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    if (constantTimeEqual(await totpCode(secret, step), code) && matched === null) matched = step;
  }
  return matched;
}

/** The Key Uri Format authenticator apps read (otpauth://totp/Issuer:account?secret=...). */
export function otpauthUri(secret: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECS),
  });
  return `otpauth://totp/${label}?${query}`;
}
