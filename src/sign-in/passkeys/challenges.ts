/**
 * WebAuthn Level 2 §13.4.3: ceremony challenges are random, single-use and short-lived. The challenge
 * the browser signs is the UTF-8 bytes of a sharded id (shard + 128 random bits, like the AuthActor's
 * pending-request ids): it names the AuthActor that holds it, so the server reads it back from the
 * signed `clientDataJSON` and takes it there (one step: taken once, whatever the outcome). Nothing about a
 * challenge is kept in the browser or in KV.
 */
import { fromBase64Url, toBase64Url, utf8 } from '../../crypto/encoding';
import { REQUEST_ID_PATTERN } from '../../crypto/sharded-id';

/** How long a ceremony may take; also the `timeout` handed to the browser. */
export const CHALLENGE_TTL_SECS = 5 * 60;

/** What a challenge was issued for, and to whom. */
export interface PasskeyChallenge {
  ceremony: 'registration' | 'authentication';
  /** Registration: the signed-in user adding a passkey. Authentication: null (discoverable sign-in). */
  userId: string | null;
  expiresAt: number;
}

/** The AuthActor calls that keep challenges (durable-objects/auth-actor.ts), sharded by the challenge id. */
export interface PasskeyChallengePort {
  saveChallenge(id: string, challenge: PasskeyChallenge): Promise<void>;
  /** The challenge, removed for good; null when unknown, already taken or expired. */
  takeChallenge(id: string): Promise<PasskeyChallenge | null>;
}

/** The challenge as the browser receives it (base64url of the id's bytes). */
export function encodeChallenge(id: string): string {
  return toBase64Url(utf8(id));
}

/** The challenge id inside a `clientDataJSON` challenge, or null when it cannot be one of ours. */
export function challengeId(encoded: string): string | null {
  if (encoded.length > 64) return null;
  let id: string;
  try {
    id = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(fromBase64Url(encoded));
  } catch {
    return null;
  }
  return REQUEST_ID_PATTERN.test(id) ? id : null;
}
