/**
 * The metrics aggregate in readable form (the admin metrics page): per catalogue metric its help text and
 * series, counters and gauges as values, histograms as count, sum, mean and quantiles estimated from the
 * cumulative buckets (linear interpolation inside the bucket, as Prometheus' histogram_quantile does),
 * grouped by area. The same snapshot GET /metrics renders as Prometheus text.
 */
import { METRIC_PREFIX, METRICS, type MetricName } from './catalogue';
import { type BucketSets, fileBucket, type MetricsSnapshot, splitKey } from './metrics';

/** Where a metric belongs on the page, in page order. */
export const METRIC_AREAS = [
  'HTTP',
  'Tokens and clients',
  'Sign-in and authentication',
  'Rate limiting',
  'Resilience',
  'Storage',
  'Outbound calls',
  'Events',
  'Errors',
] as const;
export type MetricArea = (typeof METRIC_AREAS)[number];

const AREA_OF: Record<MetricName, MetricArea> = {
  http_requests_total: 'HTTP',
  http_requests_by_class_total: 'HTTP',
  http_requests_total_by_route: 'HTTP',
  http_request_duration_seconds: 'HTTP',
  http_request_duration_seconds_by_route: 'HTTP',
  oauth_token_issued_total: 'Tokens and clients',
  oauth_token_revoked_total: 'Tokens and clients',
  oauth_authorization_codes_issued: 'Tokens and clients',
  oauth_clients_total: 'Tokens and clients',
  oauth_active_grants: 'Tokens and clients',
  oauth_failed_authentications: 'Sign-in and authentication',
  rate_limit_rejected_total: 'Rate limiting',
  rate_limit_remaining: 'Rate limiting',
  circuit_breaker_state: 'Resilience',
  circuit_breaker_trips_total: 'Resilience',
  back_pressure_rejected_total: 'Resilience',
  concurrent_requests_in_flight: 'Resilience',
  bulkhead_rejected_total: 'Resilience',
  db_queries_total: 'Storage',
  db_query_duration_seconds: 'Storage',
  errors_total: 'Errors',
  http_client_requests_total: 'Outbound calls',
  http_client_request_duration_seconds: 'Outbound calls',
  events_published_total: 'Events',
  events_publish_errors_total: 'Events',
  events_publish_duration_seconds: 'Events',
  events_consumed_total: 'Events',
  events_dead_lettered_total: 'Events',
  events_plugin_last_success_timestamp_seconds: 'Events',
  events_plugin_last_failure_timestamp_seconds: 'Events',
};

export type SeriesLabels = [name: string, value: string][];

export interface ValueSeries {
  labels: SeriesLabels;
  value: number;
}

export interface HistogramSeries {
  labels: SeriesLabels;
  count: number;
  sum: number;
  /** sum / count; null without observations. */
  mean: number | null;
  /** Estimated from the buckets; null without observations. */
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export type MetricFamily =
  | { name: string; type: 'counter' | 'gauge'; help: string; series: ValueSeries[] }
  | { name: string; type: 'histogram'; help: string; series: HistogramSeries[] };

export interface MetricGroup {
  area: MetricArea;
  families: MetricFamily[];
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** `a="1",b="x\"y"` as pairs, unescaped. */
export function parseLabels(text: string): SeriesLabels {
  const out: SeriesLabels = [];
  for (const match of text.matchAll(LABEL)) {
    const raw = match[2] ?? '';
    out.push([match[1] ?? '', raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))]);
  }
  return out;
}

/**
 * The q-quantile of a histogram from its cumulative buckets ([upper bound, cumulative count], ascending,
 * ending with +Inf): linear interpolation inside the bucket holding the rank; in the +Inf bucket, the
 * largest finite bound.
 */
export function quantile(q: number, buckets: [number, number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (!Number.isFinite(bound)) return previousBound;
      const inBucket = cumulative - previousCount;
      if (inBucket <= 0) return bound;
      return previousBound + (bound - previousBound) * ((rank - previousCount) / inBucket);
    }
    previousBound = bound;
    previousCount = cumulative;
  }
  return previousBound;
}

function histogramSeries(name: MetricName, all: Record<string, number>): HistogramSeries[] {
  const def = METRICS[name];
  if (def.type !== 'histogram') return [];
  const prefix = `${METRIC_PREFIX}${name}`;
  const sets: BucketSets = new Map();
  const counts = new Map<string, number>();
  const sums = new Map<string, number>();
  for (const [key, value] of Object.entries(all)) {
    const [seriesName, labels] = splitKey(key);
    if (seriesName === `${prefix}_count`) counts.set(labels, value);
    else if (seriesName === `${prefix}_sum`) sums.set(labels, value);
    else if (seriesName === `${prefix}_bucket`) fileBucket(sets, labels, value);
  }
  const out: HistogramSeries[] = [];
  for (const labels of [...counts.keys()].sort()) {
    const count = counts.get(labels) ?? 0;
    const sum = sums.get(labels) ?? 0;
    const stored = sets.get(labels) ?? new Map<string, number>();
    const buckets: [number, number][] = [];
    let carried = 0;
    for (const bound of def.buckets) {
      carried = stored.get(String(bound)) ?? carried;
      buckets.push([bound, carried]);
    }
    buckets.push([Number.POSITIVE_INFINITY, count]);
    out.push({
      labels: parseLabels(labels),
      count,
      sum,
      mean: count > 0 ? sum / count : null,
      p50: quantile(0.5, buckets),
      p90: quantile(0.9, buckets),
      p99: quantile(0.99, buckets),
    });
  }
  return out;
}

function valueSeries(name: MetricName, all: Record<string, number>): ValueSeries[] {
  const full = `${METRIC_PREFIX}${name}`;
  const out: ValueSeries[] = [];
  for (const key of Object.keys(all).sort()) {
    const [seriesName, labels] = splitKey(key);
    if (seriesName === full) out.push({ labels: parseLabels(labels), value: all[key] ?? 0 });
  }
  return out;
}

/** The snapshot as metric families (catalogue order) grouped by area (page order); empty areas left out. */
export function metricGroups(snapshot: MetricsSnapshot): MetricGroup[] {
  const all = { ...snapshot.counters, ...snapshot.gauges };
  const byArea = new Map<MetricArea, MetricFamily[]>();
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const def = METRICS[name];
    const family: MetricFamily =
      def.type === 'histogram'
        ? {
            name: `${METRIC_PREFIX}${name}`,
            type: 'histogram',
            help: def.help,
            series: histogramSeries(name, all),
          }
        : { name: `${METRIC_PREFIX}${name}`, type: def.type, help: def.help, series: valueSeries(name, all) };
    const area = AREA_OF[name];
    const families = byArea.get(area) ?? [];
    byArea.set(area, families);
    families.push(family);
  }
  return METRIC_AREAS.flatMap((area) => {
    const families = byArea.get(area);
    return families === undefined ? [] : [{ area, families }];
  });
}
