/** createStorage: the Storage ports for the Worker's bindings, built once per database binding. */
import { createD1Storage } from './d1';
import type { Storage } from './ports';

const cache = new WeakMap<D1Database, Storage>();

/** The Storage over `env.DB`, cached per D1Database object so the ORM is not rebuilt per request. */
export function createStorage(env: { DB: D1Database }): Storage {
  // Issue #5 adds the Postgres branch (OAUTH2_DATABASE_URL through Hyperdrive / Neon).
  let storage = cache.get(env.DB);
  if (storage === undefined) {
    storage = createD1Storage(env.DB);
    cache.set(env.DB, storage);
  }
  return storage;
}
