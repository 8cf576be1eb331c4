/** PgRunner: how a store runs one operation: on the lease's pool, with errors mapped to port errors. */
import { InvalidValueError } from '../ports';
import { translatePgError } from './errors';
import type { PgDatabase, PoolLease } from './pool-lease';

/**
 * Runs one storage operation about `what` (named in errors, never values). A read passes `absent`, its
 * "nothing found" answer: when a parameter holds a value PostgreSQL cannot store (a NUL character), no
 * row can match it, so that is the answer, as on D1; a write gets InvalidValueError instead.
 */
export type PgRunner = <T>(what: string, operation: (db: PgDatabase) => Promise<T>, absent?: T) => Promise<T>;

/** The runner over `lease`: a unique violation becomes ConflictError, an outage StorageUnavailableError. */
export function pgRunner(lease: PoolLease): PgRunner {
  return async function run<T>(what: string, operation: (db: PgDatabase) => Promise<T>, absent?: T) {
    try {
      return await lease.use(operation);
    } catch (error) {
      const translated = translatePgError(what, error);
      if (translated instanceof InvalidValueError && absent !== undefined) return absent;
      throw translated;
    }
  };
}

/** Rows a write touched (node-postgres `rowCount`, null for statements that report none). */
export function affected(result: { rowCount: number | null }): number {
  return result.rowCount ?? 0;
}
