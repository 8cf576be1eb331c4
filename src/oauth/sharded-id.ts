/**
 * Ids that name the actor owning them: two base-36 characters (the shard number) followed by random
 * base64url characters. Grant ids (TokenActor), authorization codes and pending-request ids (AuthActor)
 * all carry their shard, so changing a shard count later never moves existing state, and many ids share
 * one warm object while no object is hot.
 */
import { randomToken } from '../crypto/random';

export const MAX_ACTOR_SHARDS = 36 * 36;
const SHARD = '[0-9a-z]{2}';

/** Grant ids: shard + 120 random bits (22 characters). */
export const GRANT_ID_PATTERN = `${SHARD}[A-Za-z0-9_-]{20}`;
/** Authorization codes: shard + 256 random bits (45 characters). */
export const CODE_PATTERN = new RegExp(`^${SHARD}[A-Za-z0-9_-]{43}$`);
/** Pending authorization request ids: shard + 128 random bits (24 characters). */
export const REQUEST_ID_PATTERN = new RegExp(`^${SHARD}[A-Za-z0-9_-]{22}$`);

function shardPrefix(shards: number): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return (n % shards).toString(36).padStart(2, '0');
}

export function newGrantId(shards: number): string {
  return shardPrefix(shards) + randomToken(15);
}

export function newAuthorizationCode(shards: number): string {
  return shardPrefix(shards) + randomToken(32);
}

export function newRequestId(shards: number): string {
  return shardPrefix(shards) + randomToken(16);
}

/** The name of the TokenActor that owns this grant. */
export function tokenActorName(grantId: string): string {
  return `tokens-${grantId.slice(0, 2)}`;
}

/** The name of the AuthActor that owns this code or pending request. */
export function authActorName(id: string): string {
  return `auth-${id.slice(0, 2)}`;
}
