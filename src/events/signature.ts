/**
 * Webhook signatures: `X-OAuth2-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The timestamp is signed with the body, so a receiver that checks it within a tolerance refuses replays.
 */

export const SIGNATURE_HEADER = 'X-OAuth2-Signature';
/** How far a receiver should accept the signed time from its own clock (seconds). */
export const DEFAULT_TOLERANCE_SECS = 300;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    keys.set(secret, key);
  }
  return key;
}

function toHex(bytes: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(bytes)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The hex HMAC-SHA256 of `<timestamp>.<body>`. */
export async function signatureOf(secret: string, timestamp: number, body: string): Promise<string> {
  return toHex(
    await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(`${timestamp}.${body}`)),
  );
}

/** The header value for `body` signed at `timestamp` (Unix seconds). */
export async function signatureHeader(secret: string, timestamp: number, body: string): Promise<string> {
  return `t=${timestamp},v1=${await signatureOf(secret, timestamp, body)}`;
}

/** Compares two equal-length strings without an early exit. */
function equalStrings(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies a signature header over the raw body, as a receiver does: the timestamp within
 * `toleranceSecs` of `nowSecs`, and any `v1` value matching (several are allowed during a key change).
 */
export async function verifySignature(
  secret: string,
  header: string | null,
  body: string,
  nowSecs: number,
  toleranceSecs = DEFAULT_TOLERANCE_SECS,
): Promise<boolean> {
  if (!header) return false;
  let timestamp: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === null || candidates.length === 0) return false;
  if (Math.abs(nowSecs - timestamp) > toleranceSecs) return false;
  const expected = await signatureOf(secret, timestamp, body);
  return candidates.map((candidate) => equalStrings(candidate, expected)).includes(true);
}
