/**
 * Password hashing: PBKDF2-HMAC-SHA256 through WebCrypto, stored self-describing as
 * `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>` so parameters can be raised later and old
 * hashes upgraded at the next sign-in. 100,000 iterations is Cloudflare's production cap for PBKDF2
 * (it refuses more), and costs tens of milliseconds of CPU per verification.
 */
import { fromBase64Url, toBase64Url, utf8 } from './encoding';

export const PASSWORD_ALGORITHM = 'pbkdf2-sha256';
export const PASSWORD_ITERATIONS = 100_000;
export const PASSWORD_SALT_BYTES = 16;
export const PASSWORD_HASH_BYTES = 32;

/** Outside these bounds a stored hash is not verified at all (the runtime would refuse or it is junk). */
const MIN_ITERATIONS = 1;
const MAX_ITERATIONS = PASSWORD_ITERATIONS;
const MIN_SALT_BYTES = 8;
const MAX_SALT_BYTES = 64;
const MIN_HASH_BYTES = 16;
const MAX_HASH_BYTES = 64;

export interface PasswordCheck {
  ok: boolean;
  /** The password matched a hash made with weaker parameters than today's: store `hashPassword` anew. */
  needsRehash: boolean;
}

interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

/** A new hash of `password` with the current parameters and a fresh random salt. */
export async function hashPassword(password: string, iterations = PASSWORD_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(PASSWORD_SALT_BYTES));
  const hash = await derive(password, salt, iterations, PASSWORD_HASH_BYTES);
  return `${PASSWORD_ALGORITHM}$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/**
 * Checks `password` against a stored hash in constant time. Unknown or malformed formats answer
 * `{ ok: false }` (never throw), so a corrupt record cannot be signed into.
 */
export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  const parsed = parseHash(stored);
  if (!parsed) return { ok: false, needsRehash: false };
  const actual = await derive(password, parsed.salt, parsed.iterations, parsed.hash.byteLength);
  const ok = crypto.subtle.timingSafeEqual(actual, parsed.hash);
  const weaker =
    parsed.iterations < PASSWORD_ITERATIONS ||
    parsed.salt.byteLength < PASSWORD_SALT_BYTES ||
    parsed.hash.byteLength < PASSWORD_HASH_BYTES;
  return { ok, needsRehash: ok && weaker };
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== PASSWORD_ALGORITHM) return null;
  const [, iterationsText = '', saltText = '', hashText = ''] = parts;
  if (!/^[1-9]\d{0,6}$/.test(iterationsText)) return null;
  const iterations = Number(iterationsText);
  if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) return null;
  try {
    const salt = fromBase64Url(saltText);
    const hash = fromBase64Url(hashText);
    if (salt.byteLength < MIN_SALT_BYTES || salt.byteLength > MAX_SALT_BYTES) return null;
    if (hash.byteLength < MIN_HASH_BYTES || hash.byteLength > MAX_HASH_BYTES) return null;
    return { iterations, salt, hash };
  } catch {
    return null;
  }
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  bytes: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const material = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

/**
 * A well-formed hash of no password anyone knows (random salt and digest, fixed at build time): checking
 * against it costs exactly one verification with the current parameters.
 */
export const DUMMY_PASSWORD_HASH = `${PASSWORD_ALGORITHM}$${PASSWORD_ITERATIONS}$q4Jm7Hc2WvN0pXe9TzLs1A$Zb3kQ8rVw2Yt6Nh0Lp5Jx9Cm4Fs7Gd1Ea3Ku8Oi2Rq6`;

/**
 * Spends one verification's worth of work and answers nothing, so that an unknown username takes as
 * long to refuse as a wrong password (no user enumeration by timing).
 */
export async function verifyDummyPassword(password: string): Promise<void> {
  await verifyPassword(password, DUMMY_PASSWORD_HASH);
}
