/**
 * The sharded ids of the OAuth core (src/crypto/sharded-id.ts): grant ids (TokenActor), authorization
 * codes and pending-request ids (AuthActor) all carry the shard of the actor that owns them.
 */
import { newShardedId, shardedIdSource } from '../crypto/sharded-id';

export { MAX_ACTOR_SHARDS, newRequestId, REQUEST_ID_PATTERN } from '../crypto/sharded-id';

/** Grant ids: shard + 120 random bits (22 characters). */
export const GRANT_ID_PATTERN = shardedIdSource(20);
/** Authorization codes: shard + 256 random bits (45 characters). */
export const CODE_PATTERN = new RegExp(`^${shardedIdSource(43)}$`);

export function newGrantId(shards: number): string {
  return newShardedId(shards, 15);
}

export function newAuthorizationCode(shards: number): string {
  return newShardedId(shards, 32);
}

/** The name of the TokenActor that owns this grant. */
export function tokenActorName(grantId: string): string {
  return `tokens-${grantId.slice(0, 2)}`;
}

/** The name of the AuthActor that owns this code or pending request. */
export function authActorName(id: string): string {
  return `auth-${id.slice(0, 2)}`;
}
