/**
 * RFC 9449 §8/§9 server-provided DPoP nonces, stateless: a nonce names a time window and carries an
 * HMAC-SHA256 of it under a key derived (HKDF-SHA256) from OAUTH2_SESSION_KEY, so every isolate mints
 * and checks the same nonces without storage. A nonce is accepted in its own window and the next one,
 * so it lives between one and two windows.
 */
import type { Config } from '../../config';
import { deriveKey } from '../../crypto/derive-key';
import { toBase64Url, utf8 } from '../../crypto/encoding';
import { constantTimeEqual } from '../../crypto/hash';

/** The length of a nonce window. */
export const DPOP_NONCE_WINDOW_SECS = 300;

/** Derived keys per secret, resolved values only (never an in-flight promise shared between requests). */
const keys = new Map<string, CryptoKey>();

async function nonceKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached) return cached;
  const key = await deriveKey(secret, 'oauth2-dpop', 'dpop-nonce-v1', 'hmac');
  keys.set(secret, key);
  return key;
}

async function nonceFor(config: Config, window: number): Promise<string> {
  const label = window.toString(36);
  const mac = await crypto.subtle.sign(
    'HMAC',
    await nonceKey(config.sessionKey),
    utf8(`dpop-nonce:${label}`),
  );
  return `${label}.${toBase64Url(new Uint8Array(mac)).slice(0, 22)}`;
}

/** The nonce to hand out now (`DPoP-Nonce` header). */
export function currentDpopNonce(config: Config, now: number): Promise<string> {
  return nonceFor(config, Math.floor(now / DPOP_NONCE_WINDOW_SECS));
}

/** Whether `nonce` was minted by this server in the current or the previous window. */
export async function isFreshDpopNonce(config: Config, nonce: unknown, now: number): Promise<boolean> {
  if (typeof nonce !== 'string' || nonce.length > 40) return false;
  const match = /^([0-9a-z]{1,12})\.[A-Za-z0-9_-]{22}$/.exec(nonce);
  if (!match) return false;
  const window = Number.parseInt(match[1] as string, 36);
  const current = Math.floor(now / DPOP_NONCE_WINDOW_SECS);
  if (window !== current && window !== current - 1) return false;
  return constantTimeEqual(nonce, await nonceFor(config, window));
}

/**
 * §8.2: a successful response to a request that carried a DPoP proof may hand out a fresh nonce, so the
 * client never runs into `use_dpop_nonce` when the window turns. Empty unless nonces are required.
 */
export async function freshDpopNonceHeaders(
  config: Config,
  dpopHeader: string | undefined,
  now: number,
): Promise<Record<string, string>> {
  if (!config.dpop.requireNonce || dpopHeader === undefined) return {};
  return { 'DPoP-Nonce': await currentDpopNonce(config, now) };
}
