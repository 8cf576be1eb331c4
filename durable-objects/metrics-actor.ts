/**
 * MetricsActor: one shard of the global metrics aggregate (METRICS_SHARDS objects named `metrics-<n>`).
 * Isolates send it their deltas at most every OAUTH2_METRICS_FLUSH_INTERVAL_SECS (never per request);
 * it sums counters and histogram series, keeps each isolate's latest `max_live` gauge values for
 * GAUGE_TTL_SECS, and the largest value of `max` gauges. `/metrics` reads every shard and merges them.
 */
import { DurableObject } from 'cloudflare:workers';
import { GAUGE_TTL_SECS } from '../src/observability/catalogue';
import type { MetricsDelta, MetricsSnapshot } from '../src/observability/metrics';

/** The value of `max` gauges is kept under this isolate name. */
const ALL_ISOLATES = '*';

export class MetricsActor extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, value REAL NOT NULL);
      CREATE TABLE IF NOT EXISTS gauges (
        key TEXT NOT NULL, isolate TEXT NOT NULL, value REAL NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (key, isolate)
      );
      CREATE TABLE IF NOT EXISTS isolates (id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL);
    `);
  }

  /** Adds one isolate's delta (all in one transaction) at `now` (epoch seconds). */
  async merge(isolate: string, delta: MetricsDelta, now: number): Promise<void> {
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      for (const [key, value] of Object.entries(delta.counters)) {
        sql.exec(
          'INSERT INTO counters (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = value + excluded.value',
          key,
          value,
        );
      }
      for (const [key, value] of Object.entries(delta.gauges)) {
        sql.exec(
          'INSERT OR REPLACE INTO gauges (key, isolate, value, updated_at) VALUES (?, ?, ?, ?)',
          key,
          isolate,
          value,
          now,
        );
      }
      for (const [key, value] of Object.entries(delta.maxGauges)) {
        sql.exec(
          `INSERT INTO gauges (key, isolate, value, updated_at) VALUES (?, '${ALL_ISOLATES}', ?, ?)
           ON CONFLICT (key, isolate) DO UPDATE SET value = max(value, excluded.value), updated_at = excluded.updated_at`,
          key,
          value,
          now,
        );
      }
      sql.exec('INSERT OR REPLACE INTO isolates (id, last_seen) VALUES (?, ?)', isolate, now);
      // Bounded state: isolates and their live gauges are forgotten once they stop reporting.
      sql.exec(
        `DELETE FROM gauges WHERE isolate != '${ALL_ISOLATES}' AND updated_at < ?`,
        now - GAUGE_TTL_SECS,
      );
      sql.exec('DELETE FROM isolates WHERE last_seen < ?', now - GAUGE_TTL_SECS);
    });
  }

  /** This shard's aggregate at `now`: counters, gauges (max over live isolates) and reporting isolates. */
  async snapshot(now: number): Promise<MetricsSnapshot> {
    const sql = this.ctx.storage.sql;
    const counters: Record<string, number> = {};
    for (const row of sql.exec<{ key: string; value: number }>('SELECT key, value FROM counters')) {
      counters[row.key] = row.value;
    }
    const gauges: Record<string, number> = {};
    const live = sql.exec<{ key: string; value: number }>(
      `SELECT key, max(value) AS value FROM gauges WHERE isolate = '${ALL_ISOLATES}' OR updated_at >= ? GROUP BY key`,
      now - GAUGE_TTL_SECS,
    );
    for (const row of live) gauges[row.key] = row.value;
    const isolates =
      sql
        .exec<{ n: number }>('SELECT count(*) AS n FROM isolates WHERE last_seen >= ?', now - GAUGE_TTL_SECS)
        .one().n ?? 0;
    return { counters, gauges, isolates };
  }
}
