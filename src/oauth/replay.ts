/**
 * Single-use identifiers (DPoP proof `jti`, RFC 9449 §11.1; client assertion `jti`, RFC 7523 §3):
 * the key recorded is SHA-256 of namespace and identifier, so no raw `jti` (client-chosen, of any
 * length) is stored, and its first character (64 base64url values) picks one of 64 ReplayGuard shards.
 */
import { sha256 } from '../crypto/hash';
import type { ReplayPort } from './ports';

/** Claims a digest in the ReplayGuard shard that owns it (the Worker shell's actor call). */
export type ClaimDigest = (key: string, expiresAt: number) => Promise<boolean>;

/** The name of the ReplayGuard object that owns a key. */
export function replayGuardName(key: string): string {
  return `replay-${key.slice(0, 1)}`;
}

export function replayPort(claim: ClaimDigest): ReplayPort {
  return {
    async claim(namespace, id, expiresAt) {
      return claim(await sha256(`${namespace}\u0000${id}`), expiresAt);
    },
  };
}
