/**
 * Per-isolate metrics: counters, gauges and histograms recorded in memory on the request path (a few Map
 * updates, no I/O), handed over as a delta to be summed into the global aggregate (the MetricsActor), and
 * rendered in the Prometheus text exposition format 0.0.4.
 */
import {
  type CounterName,
  type GaugeName,
  type HistogramName,
  type LabelsOf,
  METRIC_PREFIX,
  METRICS,
  type MetricDef,
  type MetricName,
} from './catalogue';

/** What an isolate hands to the aggregate: additive series, and gauges by how they combine. */
export interface MetricsDelta {
  /** Counter increments by series; histograms arrive flattened into `_bucket` (cumulative), `_sum`, `_count`. */
  counters: Record<string, number>;
  /** Current values of `max_live` gauges (re-sent every flush, so a live isolate keeps them fresh). */
  gauges: Record<string, number>;
  /** Values of `max` gauges set since the last flush. */
  maxGauges: Record<string, number>;
}

/** The aggregate as /metrics renders it. */
export interface MetricsSnapshot {
  counters: Record<string, number>;
  gauges: Record<string, number>;
  /** Isolates that flushed within the gauge TTL (how many isolates the figures come from). */
  isolates: number;
}

type Labels = Record<string, string | number>;

const NEEDS_ESCAPE = /[\\"\n]/;

function escapeLabel(value: string): string {
  // Almost every label value (routes, methods, statuses) has nothing to escape: skip the three replaces.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `k1="v1",k2="v2"` in the definition's label order; a missing label is the empty string. */
function labelString(def: MetricDef, labels: Labels | undefined): string {
  let out = '';
  for (const name of def.labels) {
    const value = labels?.[name];
    out += `${out === '' ? '' : ','}${name}="${escapeLabel(value === undefined ? '' : String(value))}"`;
  }
  return out;
}

/** The full series name: `oauth2_server_<name>{labels}` (no braces without labels). */
export function seriesKey(name: string, labels: string): string {
  return labels === '' ? `${METRIC_PREFIX}${name}` : `${METRIC_PREFIX}${name}{${labels}}`;
}

/** The series key of a metric with these labels, as snapshots hold it. */
export function metricKey<N extends MetricName>(name: N, labels?: LabelsOf<N>): string {
  return seriesKey(name, labelString(METRICS[name], labels));
}

function formatLe(bound: number): string {
  return Number.isFinite(bound) ? String(bound) : '+Inf';
}

interface HistogramCell {
  name: HistogramName;
  labels: string;
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** One isolate's metrics since its last flush (counters, histograms) and its current gauges. */
export class MetricsRegistry {
  #counters = new Map<string, number>();
  #histograms = new Map<string, HistogramCell>();
  #liveGauges = new Map<string, number>();
  #maxGauges = new Map<string, number>();
  #events = 0;

  /** Adds `by` (default 1) to a counter. */
  inc<N extends CounterName>(name: N, labels?: LabelsOf<N>, by = 1): void {
    const key = seriesKey(name, labelString(METRICS[name], labels));
    this.#counters.set(key, (this.#counters.get(key) ?? 0) + by);
    this.#events += 1;
  }

  /** Sets a gauge (see the metric's aggregation for how isolates combine). */
  set<N extends GaugeName>(name: N, labels: LabelsOf<N>, value: number): void {
    const def = METRICS[name];
    const key = seriesKey(name, labelString(def, labels));
    if (def.aggregation === 'max')
      this.#maxGauges.set(key, Math.max(value, this.#maxGauges.get(key) ?? value));
    else this.#liveGauges.set(key, value);
    this.#events += 1;
  }

  /** Records one observation (seconds for durations). */
  observe<N extends HistogramName>(name: N, labels: LabelsOf<N> | undefined, value: number): void {
    const def = METRICS[name];
    const labelText = labelString(def, labels);
    const cellKey = `${name}|${labelText}`;
    let cell = this.#histograms.get(cellKey);
    if (cell === undefined) {
      cell = { name, labels: labelText, counts: new Array(def.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.#histograms.set(cellKey, cell);
    }
    let i = 0;
    while (i < def.buckets.length && value > (def.buckets[i] ?? 0)) i += 1;
    cell.counts[i] = (cell.counts[i] ?? 0) + 1;
    cell.sum += value;
    cell.count += 1;
    this.#events += 1;
  }

  /** Recordings since the last `takeDelta` (a flush trigger). */
  get pendingRecordings(): number {
    return this.#events;
  }

  /** Whether there is anything to flush (live gauges count: they must be refreshed in the aggregate). */
  get dirty(): boolean {
    return this.#events > 0 || this.#liveGauges.size > 0;
  }

  /** Takes what was recorded since the last call (counters and histograms restart from zero). */
  takeDelta(): MetricsDelta {
    const counters = Object.fromEntries(this.#counters);
    for (const cell of this.#histograms.values()) {
      for (const [key, value] of flattenHistogram(cell)) counters[key] = (counters[key] ?? 0) + value;
    }
    const delta: MetricsDelta = {
      counters,
      gauges: Object.fromEntries(this.#liveGauges),
      maxGauges: Object.fromEntries(this.#maxGauges),
    };
    this.#counters.clear();
    this.#histograms.clear();
    this.#maxGauges.clear();
    this.#events = 0;
    return delta;
  }

  /** Puts back a delta that could not be delivered, so nothing is lost (it goes with the next flush). */
  restore(delta: MetricsDelta): void {
    for (const [key, value] of Object.entries(delta.counters)) {
      this.#counters.set(key, (this.#counters.get(key) ?? 0) + value);
    }
    for (const [key, value] of Object.entries(delta.maxGauges)) {
      this.#maxGauges.set(key, Math.max(value, this.#maxGauges.get(key) ?? value));
    }
    this.#events += Object.keys(delta.counters).length + Object.keys(delta.maxGauges).length;
  }
}

function flattenHistogram(cell: HistogramCell): [string, number][] {
  const def = METRICS[cell.name];
  const sep = cell.labels === '' ? '' : ',';
  const out: [string, number][] = [];
  let cumulative = 0;
  const bounds = [...def.buckets, Number.POSITIVE_INFINITY];
  bounds.forEach((bound, i) => {
    cumulative += cell.counts[i] ?? 0;
    if (cumulative > 0) {
      out.push([seriesKey(`${cell.name}_bucket`, `${cell.labels}${sep}le="${formatLe(bound)}"`), cumulative]);
    }
  });
  out.push([seriesKey(`${cell.name}_sum`, cell.labels), cell.sum]);
  out.push([seriesKey(`${cell.name}_count`, cell.labels), cell.count]);
  return out;
}

/** Sums deltas and snapshots into one (shards of the aggregate, or a local delta not yet flushed). */
export function mergeSnapshots(parts: MetricsSnapshot[]): MetricsSnapshot {
  const counters: Record<string, number> = {};
  const gauges: Record<string, number> = {};
  let isolates = 0;
  for (const part of parts) {
    for (const [key, value] of Object.entries(part.counters)) counters[key] = (counters[key] ?? 0) + value;
    for (const [key, value] of Object.entries(part.gauges))
      gauges[key] = Math.max(value, gauges[key] ?? value);
    isolates += part.isolates;
  }
  return { counters, gauges, isolates };
}

/** The process-wide (isolate-wide) registry that request handling records into. */
export const isolateMetrics = new MetricsRegistry();

// --- Prometheus text exposition ---------------------------------------------------------------------------

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

/** Splits `name{labels}` into the name and the label text. */
export function splitKey(key: string): [string, string] {
  const brace = key.indexOf('{');
  return brace < 0 ? [key, ''] : [key.slice(0, brace), key.slice(brace + 1, -1)];
}

/** A histogram's buckets by series: label text (without `le`) -> `le` -> cumulative count. */
export type BucketSets = Map<string, Map<string, number>>;

/** Files the count of a `_bucket` series under its labels without `le` (a series without `le` is skipped). */
export function fileBucket(sets: BucketSets, labels: string, value: number): void {
  const le = /(?:^|,)le="([^"]*)"$/.exec(labels);
  if (!le) return;
  const rest = labels.slice(0, le.index);
  const buckets = sets.get(rest) ?? new Map<string, number>();
  sets.set(rest, buckets);
  buckets.set(le[1] ?? '', value);
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;

/** The catalogue metric a series belongs to, or null for a series this server does not define. */
function metricOf(seriesName: string): MetricName | null {
  if (!seriesName.startsWith(METRIC_PREFIX)) return null;
  const name = seriesName.slice(METRIC_PREFIX.length);
  if (name in METRICS) return name as MetricName;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (base in METRICS && METRICS[base as MetricName].type === 'histogram') return base as MetricName;
    }
  }
  return null;
}

function renderHistogram(name: MetricName, series: Map<string, number>, lines: string[]): void {
  const def = METRICS[name];
  if (def.type !== 'histogram') return;
  const prefix = `${METRIC_PREFIX}${name}`;
  const sets: BucketSets = new Map();
  for (const [key, value] of series) {
    const [seriesName, labels] = splitKey(key);
    if (seriesName === `${prefix}_bucket`) fileBucket(sets, labels, value);
  }
  for (const key of series.keys()) {
    const [seriesName, labels] = splitKey(key);
    if (seriesName === `${prefix}_count` && !sets.has(labels)) sets.set(labels, new Map());
  }
  for (const labels of [...sets.keys()].sort()) {
    const buckets = sets.get(labels) ?? new Map<string, number>();
    const sep = labels === '' ? '' : ',';
    const count = series.get(seriesKey(`${name}_count`, labels)) ?? 0;
    let carried = 0;
    for (const bound of def.buckets) {
      carried = buckets.get(formatLe(bound)) ?? carried;
      lines.push(`${prefix}_bucket{${labels}${sep}le="${formatLe(bound)}"} ${formatValue(carried)}`);
    }
    lines.push(`${prefix}_bucket{${labels}${sep}le="+Inf"} ${formatValue(count)}`);
    lines.push(
      `${seriesKey(`${name}_sum`, labels)} ${formatValue(series.get(seriesKey(`${name}_sum`, labels)) ?? 0)}`,
    );
    lines.push(`${seriesKey(`${name}_count`, labels)} ${formatValue(count)}`);
  }
}

/** Static information exported with every scrape. */
export interface AppInfo {
  service: string;
  version: string;
}

/** The snapshot as Prometheus text (format 0.0.4), metrics in catalogue order, series sorted. */
export function renderPrometheus(snapshot: MetricsSnapshot, info: AppInfo): string {
  const byMetric = new Map<MetricName, Map<string, number>>();
  for (const [key, value] of [...Object.entries(snapshot.counters), ...Object.entries(snapshot.gauges)]) {
    const metric = metricOf(splitKey(key)[0]);
    if (metric === null) continue;
    const series = byMetric.get(metric) ?? new Map<string, number>();
    byMetric.set(metric, series);
    series.set(key, value);
  }
  const lines: string[] = [
    `# HELP ${METRIC_PREFIX}app_info Build information; always 1.`,
    `# TYPE ${METRIC_PREFIX}app_info gauge`,
    `${METRIC_PREFIX}app_info{service="${escapeLabel(info.service)}",version="${escapeLabel(info.version)}"} 1`,
    `# HELP ${METRIC_PREFIX}metrics_isolates_reporting Isolates whose metrics reached the aggregate in the last 5 minutes.`,
    `# TYPE ${METRIC_PREFIX}metrics_isolates_reporting gauge`,
    `${METRIC_PREFIX}metrics_isolates_reporting ${snapshot.isolates}`,
  ];
  for (const name of Object.keys(METRICS) as MetricName[]) {
    const def: MetricDef = METRICS[name];
    const series = byMetric.get(name) ?? new Map<string, number>();
    lines.push(`# HELP ${METRIC_PREFIX}${name} ${def.help}`, `# TYPE ${METRIC_PREFIX}${name} ${def.type}`);
    if (def.type === 'histogram') {
      renderHistogram(name, series, lines);
      continue;
    }
    if (def.labels.length === 0 && series.size === 0) series.set(seriesKey(name, ''), 0);
    for (const labels of def.initial ?? []) {
      const key = seriesKey(name, labelString(def, labels));
      if (!series.has(key)) series.set(key, 0);
    }
    for (const key of [...series.keys()].sort()) lines.push(`${key} ${formatValue(series.get(key) ?? 0)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The Content-Type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
