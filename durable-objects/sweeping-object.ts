/**
 * SweepingObject: the base of the Durable Objects whose rows expire. It creates the object's tables in its
 * SQLite storage; an alarm deletes the expired rows and stands again while any rows are left. At most one
 * alarm stands at a time, and it is only set once something has been written.
 */
import { DurableObject } from 'cloudflare:workers';
import { type Clock, systemClock } from '../src/clock';

/**
 * A table whose rows each expire at a time in column `column`, read in milliseconds or in seconds: an
 * index on that column, named `index`, serves the sweep, which drops the rows at or past it.
 */
export interface ExpiringTable {
  table: string;
  column: string;
  index: string;
  unit: 'ms' | 'secs';
}

function expiryIndex({ index, table, column }: ExpiringTable): string {
  return `CREATE INDEX IF NOT EXISTS ${index} ON ${table} (${column});`;
}

export abstract class SweepingObject extends DurableObject<Env> {
  /** This object's clock; a test may replace it. */
  clock: Clock = systemClock;
  protected readonly sql: SqlStorage;
  private readonly sweepIntervalMs: number;
  private sweepScheduled = false;
  private readonly expiring: ExpiringTable | undefined;

  /**
   * `schema`: the `CREATE … IF NOT EXISTS` statements of the object's tables, each ending in `;`;
   * `sweepIntervalMs`: alarm spacing; `expiring`: the one table of an object whose rows all expire alike
   * (the default sweep's).
   */
  constructor(
    ctx: DurableObjectState,
    env: Env,
    schema: string,
    sweepIntervalMs: number,
    expiring?: ExpiringTable,
  ) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // One call with every statement: starting an object costs one SQLite call.
    this.sql.exec(expiring ? `${schema}\n${expiryIndex(expiring)}` : schema);
    this.sweepIntervalMs = sweepIntervalMs;
    this.expiring = expiring;
  }

  /**
   * Deletes the rows past their expiry; answers how many rows are left (any: sweep again later). By
   * default the rows of the `expiring` table at or past their expiry; an object with other tables says.
   */
  protected sweepExpired(): number {
    if (!this.expiring) return 0;
    const { table, column, unit } = this.expiring;
    const now = unit === 'ms' ? this.clock.nowMs() : this.clock.nowSecs();
    this.sql.exec(`DELETE FROM ${table} WHERE ${column} <= ?`, now);
    return this.countRows(table);
  }

  /** Sweeps; runs again while anything is left. */
  override async alarm(): Promise<void> {
    const left = this.sweepExpired();
    this.sweepScheduled = false;
    if (left > 0) await this.scheduleSweep();
  }

  /** Sets the sweep alarm unless one stands (called after a write of a row that expires). */
  protected async scheduleSweep(): Promise<void> {
    if (this.sweepScheduled) return;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(this.clock.nowMs() + this.sweepIntervalMs);
    }
    this.sweepScheduled = true;
  }

  /** How many rows the named tables hold together. */
  protected countRows(...tables: string[]): number {
    return tables
      .map((table) => this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).one().n)
      .reduce((sum, n) => sum + n, 0);
  }
}
