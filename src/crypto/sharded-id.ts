/**
 * Ids that name the Durable Object owning them: two base-36 characters (the shard number) followed by
 * random base64url characters. Whatever holds such ids (grants, codes, pending requests, sign-in
 * challenges) reads the owner from the id itself, so changing a shard count later never moves existing
 * state, and many ids share one warm object while no object is hot. The kinds of ids the OAuth core draws,
 * and the names of the actors, are in src/oauth/sharded-id.ts.
 */
import { randomToken } from './random';

/** The most shards an id can name: two base-36 characters. */
export const MAX_ACTOR_SHARDS = 36 * 36;

/** The source of a pattern matching sharded ids with `randomChars` base64url characters after the shard. */
export function shardedIdSource(randomChars: number): string {
  return `[0-9a-z]{2}[A-Za-z0-9_-]{${randomChars}}`;
}

/** A new id in one of `shards` shards, drawn at random, with `randomBytes` random bytes after the shard. */
export function newShardedId(shards: number, randomBytes: number): string {
  const n = crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  return (n % shards).toString(36).padStart(2, '0') + randomToken(randomBytes);
}

/** Request ids (pending authorization requests, sign-in challenges): shard + 128 random bits (24 characters). */
export const REQUEST_ID_PATTERN = new RegExp(`^${shardedIdSource(22)}$`);

export function newRequestId(shards: number): string {
  return newShardedId(shards, 16);
}
