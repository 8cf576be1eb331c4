/**
 * The lifetime of a Postgres pool in a Worker: connections may only be used by the invocation that
 * opened them, so a pool belongs to one request (or one Durable Object call) and is ended when that
 * work is done, through `waitUntil` so the response is not held up.
 */

import type { Pool } from '@neondatabase/serverless';
import { drizzle, type NeonDatabase } from 'drizzle-orm/neon-serverless';

/** The drizzle handle the stores query through. */
export type PgDatabase = NeonDatabase<Record<string, never>>;

/** Where a finished pool's `end()` is handed: an ExecutionContext, or a Durable Object's state. */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Opens a pool on first use and ends it once it is idle and no longer wanted:
 * - scoped (with `background`): the pool serves every operation until `close()`; it is then ended
 *   (through `background.waitUntil`) as soon as the operations still running have finished;
 * - unscoped (no `background`): every operation ends the pool it used once nothing else runs on it,
 *   and waits for that before returning, so nothing outlives the call.
 * An operation started after `close()` gets a fresh pool that ends when it finishes.
 */
export class PoolLease {
  private pool: Pool | null = null;
  private db: PgDatabase | null = null;
  private active = 0;
  private closing: boolean;

  constructor(
    private readonly open: () => Pool,
    private readonly background?: WaitUntil,
  ) {
    this.closing = background === undefined;
  }

  /** Runs `operation` on this lease's pool. */
  async use<T>(operation: (db: PgDatabase) => Promise<T>): Promise<T> {
    if (this.db === null) {
      this.pool = this.open();
      this.db = drizzle({ client: this.pool });
    }
    const db = this.db;
    this.active += 1;
    try {
      return await operation(db);
    } finally {
      this.active -= 1;
      if (this.closing && this.active === 0) await this.end();
    }
  }

  /** No further use is planned: end the pool once idle (at once when nothing runs). */
  close(): void {
    this.closing = true;
    if (this.active === 0) void this.end();
  }

  private async end(): Promise<void> {
    const pool = this.pool;
    if (pool === null) return;
    this.pool = null;
    this.db = null;
    const ended = pool.end().catch(() => {});
    if (this.background) this.background.waitUntil(ended);
    else await ended;
  }
}
