/**
 * How grants spread over TokenActor objects. A grant's object is chosen when its id is minted
 * (src/oauth/sharded-id.ts: `newGrantId(shards)` prefixes a uniformly random shard number, and
 * `tokenActorName(grantId)` names the object `tokens-<shard>`), so the spread is bounded by
 * OAUTH2_TOKEN_ACTOR_SHARDS (default and maximum 1,296 = 36²): 1,000 grants land on about 697 objects
 * (1296·(1 − (1295/1296)^1000)), never one hot object.
 *
 * First the placement functions the server uses (client-credentials.ts, authorize/flow.ts and device flow
 * mint with `newGrantId(config.tokenActorShards)`; worker/wiring/services.ts routes with `tokenActorName`), for
 * 1,000 ids at the configured default. Then the real token path: opaque client_credentials tokens
 * (`oat_` + grant id + secret) through the Worker's app, each stored in the TokenActor its grant id names,
 * so the objects counted are the ones the Worker really created (listDurableObjectIds). The real path uses
 * 100 grants: each one creates an object, which is what takes time.
 */
import { env, listDurableObjectIds } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { GRANT_ID_PATTERN, MAX_ACTOR_SHARDS, newGrantId, tokenActorName } from '../../src/oauth/sharded-id';
import { ADMIN_ID, ADMIN_SECRET, basic, postWith } from './helpers';

const GRANTS = 1000;
/** Grants created through the token endpoint (each a new object, mostly). */
const REAL_GRANTS = 100;
const auth = { Authorization: basic(ADMIN_ID, ADMIN_SECRET) };
const OPAQUE = new RegExp(`^oat_(${GRANT_ID_PATTERN})`);

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at a time. */
async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return results;
}

/** `REAL_GRANTS` grants through POST /oauth/token (client_credentials, opaque), default shard count. */
async function createGrants(): Promise<string[]> {
  const call = postWith({
    OAUTH2_ACCESS_TOKENS_OPAQUE: 'true',
    // Placement is all this measures: the limiter's own Durable Object calls only slow the requests.
    OAUTH2_RATE_LIMIT_ENABLED: 'false',
  });
  return pool(REAL_GRANTS, 16, async () => {
    const res = await call('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, auth);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    const token = (JSON.parse(text) as { access_token: string }).access_token;
    const grantId = OPAQUE.exec(token)?.[1];
    if (!grantId) throw new Error(`not an opaque token naming its grant: ${token.slice(0, 30)}`);
    return grantId;
  });
}

/**
 * Every TokenActor with storage. The listing goes through the pool's loopback to Node, which a busy machine
 * sometimes drops ("Network connection lost"): a few attempts.
 */
async function objectIds(): Promise<Set<string>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return new Set((await listDurableObjectIds(env.TOKEN_ACTOR)).map((id) => id.toString()));
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** The distinct objects the grants were placed on, and how many of them are new objects with storage. */
async function spread() {
  const before = await objectIds();
  const grantIds = await createGrants();
  const after = await objectIds();
  const placed = new Set(grantIds.map((id) => env.TOKEN_ACTOR.idFromName(tokenActorName(id)).toString()));
  const created = [...after].filter((id) => !before.has(id));
  return { grantIds, placed, created, after };
}

const REAL_PATH_TIMEOUT = 300_000;

/** OAUTH2_TOKEN_ACTOR_SHARDS when unset. */
function defaultShards(): number {
  const result = parseConfig({
    OAUTH2_SESSION_KEY: 'a-strong-session-key-0123456789abcdef-kkkkkkkk',
    OAUTH2_KEY_ENCRYPTION_KEY: 'a-strong-key-encryption-key-0123456789abcdef',
  });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config.tokenActorShards;
}

describe('TokenActor placement of 1,000 grant ids (the functions the server uses)', () => {
  const objects = (shards: number) =>
    new Set(Array.from({ length: GRANTS }, () => tokenActorName(newGrantId(shards))));

  it('the default shard count is the maximum, 1,296', () => {
    expect(defaultShards()).toBe(MAX_ACTOR_SHARDS);
  });

  it('at the default shard count 1,000 grants spread over at least 500 objects', () => {
    const placed = objects(defaultShards());
    // Expected ~697 (sd ~ 9); 500 is > 20 sd below.
    expect(placed.size).toBeGreaterThanOrEqual(500);
    expect(placed.size).toBeLessThanOrEqual(MAX_ACTOR_SHARDS);
  });

  it('no shard count below 500 can give 500 objects', () => {
    expect(objects(499).size).toBeLessThan(500);
  });
});

describe('TokenActor spread of grants through the token endpoint', () => {
  it(`${REAL_GRANTS} grants land on the objects their ids name, nearly all distinct`, {
    timeout: REAL_PATH_TIMEOUT,
  }, async () => {
    const { grantIds, placed, after } = await spread();
    expect(new Set(grantIds).size).toBe(REAL_GRANTS);
    // 100 draws over 1,296 shards: ~96.3 distinct expected (sd ~ 1.8).
    expect(placed.size).toBeGreaterThanOrEqual(88);
    for (const id of placed) expect(after.has(id)).toBe(true); // each one really holds its grants' tokens
  });
});
