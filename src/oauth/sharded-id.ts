/**
 * Grant (token family) ids: 22 base64url characters, the first two a base-36 shard number naming the
 * TokenActor that owns the grant, the other 20 random (120 bits). The shard is part of the id, so
 * changing the shard count later never moves an existing grant.
 */
import { randomToken } from '../crypto/random';

export const GRANT_ID_PATTERN = '[0-9a-z]{2}[A-Za-z0-9_-]{20}';
export const MAX_TOKEN_ACTOR_SHARDS = 36 * 36;

export function newGrantId(shards: number): string {
  const shard = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return (shard % shards).toString(36).padStart(2, '0') + randomToken(15);
}

/** The name of the TokenActor that owns this grant. */
export function tokenActorName(grantId: string): string {
  return `tokens-${grantId.slice(0, 2)}`;
}
