/**
 * SweepingObject: the base of the Durable Objects whose rows expire. It creates the object's tables in its
 * SQLite storage; an alarm deletes the expired rows and stands again while any rows are left. At most one
 * alarm stands at a time, and it is only set once something has been written.
 */
import { DurableObject } from 'cloudflare:workers';
import { type Clock, systemClock } from '../src/clock';

export abstract class SweepingObject extends DurableObject<Env> {
  /** This object's clock; a test may replace it. */
  clock: Clock = systemClock;
  protected readonly sql: SqlStorage;
  private readonly sweepIntervalMs: number;
  private sweepScheduled = false;

  /** `schema`: the `CREATE … IF NOT EXISTS` statements of the object's tables; `sweepIntervalMs`: alarm spacing. */
  constructor(ctx: DurableObjectState, env: Env, schema: string, sweepIntervalMs: number) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(schema);
    this.sweepIntervalMs = sweepIntervalMs;
  }

  /** Deletes the rows past their expiry; answers how many rows are left (any: sweep again later). */
  protected abstract sweepExpired(): number;

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
