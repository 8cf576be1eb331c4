/**
 * The half-done sign-in between a right password and a right second-factor code: the user, where the
 * sign-in goes on to, a random nonce and a 5-minute expiry, sealed (AES-GCM under the session key) into
 * a cookie the browser cannot read or forge. It signs nobody in by itself; it completes at most one
 * sign-in, because its nonce is claimed once in the ReplayGuard (src/oauth/replay.ts) when the code is right.
 */
import { decryptSecret, encryptSecret } from '../../crypto/key-encryption';
import { randomId } from '../../crypto/random';

/** How long the code page waits for the code. */
export const PENDING_SIGN_IN_TTL_SECS = 5 * 60;
/** The ReplayGuard namespace of pending sign-in nonces. */
export const PENDING_SIGN_IN_REPLAY_NAMESPACE = 'mfa-pending-sign-in';
const SEAL_CONTEXT = 'mfa-pending-sign-in';

export interface PendingSignIn {
  userId: string;
  /** The safe relative path the sign-in continues to (src/sign-in/return-to.ts). */
  returnTo: string;
  /** The RFC 8176 methods already proven (`pwd`). */
  amr: string[];
  nonce: string;
  expiresAt: number;
}

/** A new pending sign-in, sealed for the cookie. */
export async function sealPendingSignIn(
  key: string,
  facts: { userId: string; returnTo: string; amr: string[] },
  now: number,
): Promise<{ sealed: string; pending: PendingSignIn }> {
  const pending: PendingSignIn = { ...facts, nonce: randomId(), expiresAt: now + PENDING_SIGN_IN_TTL_SECS };
  return { sealed: await encryptSecret(key, JSON.stringify(pending), SEAL_CONTEXT), pending };
}

/** The pending sign-in of a cookie value; null when it is malformed, forged or expired at `now`. */
export async function openPendingSignIn(
  key: string,
  sealed: string | undefined,
  now: number,
): Promise<PendingSignIn | null> {
  if (sealed === undefined || sealed.length > 4096) return null;
  try {
    const value = JSON.parse(await decryptSecret(key, sealed, SEAL_CONTEXT)) as PendingSignIn;
    return value.expiresAt > now ? value : null;
  } catch {
    return null;
  }
}
