/**
 * createStorage: the Storage ports for the Worker's bindings.
 * - `HYPERDRIVE` bound, or `OAUTH2_DATABASE_URL` a `postgres://` / `postgresql://` URL: PostgreSQL through
 *   the Neon serverless driver (over Hyperdrive's TCP socket, Neon's WebSocket endpoint, or the local
 *   WebSocket proxy named by `OAUTH2_DATABASE_WS_PROXY`);
 * - otherwise D1 (`env.DB`).
 */
import { createD1Storage } from './d1';
import { createPgStorage, type PgConnectionOptions, type PgStorage, type WaitUntil } from './pg';
import type { Storage } from './ports';

export type { WaitUntil } from './pg';

/** The bindings storage is chosen from. */
export interface StorageEnv {
  DB: D1Database;
  OAUTH2_DATABASE_URL?: string | undefined;
  OAUTH2_DATABASE_WS_PROXY?: string | undefined;
  HYPERDRIVE?: Hyperdrive | undefined;
}

const d1Cache = new WeakMap<D1Database, Storage>();
/** Postgres storage without a scope, per env object: each operation opens and ends its own pool. */
const unscopedCache = new WeakMap<object, PgStorage>();
/** Postgres storage of a scope (a request's ExecutionContext, a Durable Object call): one pool each. */
const scopedCache = new WeakMap<WaitUntil, PgStorage>();
const released = new WeakSet<WaitUntil>();

/** How to reach PostgreSQL from these bindings; null for D1. */
export function postgresOptions(env: StorageEnv): PgConnectionOptions | null {
  if (env.HYPERDRIVE !== undefined) {
    return { connectionString: env.HYPERDRIVE.connectionString, transport: { kind: 'tcp' } };
  }
  const url = env.OAUTH2_DATABASE_URL?.trim();
  if (!url || !/^postgres(ql)?:\/\//i.test(url)) return null;
  const proxy = env.OAUTH2_DATABASE_WS_PROXY?.trim();
  return {
    connectionString: url,
    transport: proxy ? { kind: 'ws-proxy', address: proxy } : { kind: 'neon' },
  };
}

/**
 * The Storage for these bindings. D1: built once per binding (`scope` is not needed). PostgreSQL: with
 * `scope` (the request's ExecutionContext, or an object wrapping a Durable Object's `ctx.waitUntil`)
 * one pool serves every call with that scope until `releaseStorage(scope)`; without, every operation
 * opens and ends its own pool (correct anywhere, but pays a connection per operation).
 */
export function createStorage(env: StorageEnv, scope?: WaitUntil): Storage {
  const pg = postgresOptions(env);
  if (pg === null) {
    let storage = d1Cache.get(env.DB);
    if (storage === undefined) {
      storage = createD1Storage(env.DB);
      d1Cache.set(env.DB, storage);
    }
    return storage;
  }
  const cache = scope === undefined ? unscopedCache : scopedCache;
  const key = scope ?? env;
  let storage = cache.get(key);
  if (storage === undefined) {
    storage = createPgStorage(pg, scope);
    cache.set(key, storage);
    if (scope !== undefined && released.has(scope)) storage.close();
  }
  return storage;
}

/**
 * The work of `scope` is done: its pool (if one was opened) ends through `scope.waitUntil` once the
 * operations still running finish. Later calls with the same scope get a pool per operation.
 */
export function releaseStorage(scope: WaitUntil): void {
  released.add(scope);
  scopedCache.get(scope)?.close();
}

/**
 * Runs `work` with a Storage of its own: a Postgres pool opened for it alone and ended, through
 * `background.waitUntil`, once it is done. For Durable Object methods (`withStorage(this.env, this.ctx, …)`),
 * whose state object outlives any one call.
 */
export async function withStorage<T>(
  env: StorageEnv,
  background: WaitUntil,
  work: (storage: Storage) => Promise<T>,
): Promise<T> {
  const scope: WaitUntil = { waitUntil: (promise) => background.waitUntil(promise) };
  try {
    return await work(createStorage(env, scope));
  } finally {
    releaseStorage(scope);
  }
}
