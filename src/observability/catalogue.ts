/**
 * The metrics this server exports, in the seed's `oauth2_server_*` names (Prometheus text format). A
 * metric's labels are fixed here, so label sets stay bounded: route patterns, never raw paths or ids.
 */

export const METRIC_PREFIX = 'oauth2_server_';

/** Request and outbound-call durations, seconds. */
export const DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** Rate limit budget left after a decision (requests). */
export const REMAINING_BUCKETS = [0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000] as const;

/**
 * How a gauge combines across isolates: `max_live` = the largest value any isolate reported in the last
 * GAUGE_TTL_SECS (an isolate that stops reporting drops out); `max` = the largest value ever reported
 * (timestamps).
 */
export type GaugeAggregation = 'max_live' | 'max';

interface CounterDef {
  type: 'counter';
  help: string;
  labels: readonly string[];
  /** Label sets exported as 0 before anything counts them, so dashboards and alerts see the series. */
  initial?: readonly Record<string, string>[];
}
interface GaugeDef {
  type: 'gauge';
  help: string;
  labels: readonly string[];
  aggregation: GaugeAggregation;
  initial?: readonly Record<string, string>[];
}
interface HistogramDef {
  type: 'histogram';
  help: string;
  labels: readonly string[];
  buckets: readonly number[];
}
export type MetricDef = CounterDef | GaugeDef | HistogramDef;

/** A gauge reported by an isolate stays in the aggregate this long after its last flush. */
export const GAUGE_TTL_SECS = 300;

export const METRICS = {
  http_requests_total: { type: 'counter', help: 'HTTP requests served.', labels: [] },
  http_requests_by_class_total: {
    type: 'counter',
    help: 'HTTP requests by status class (2xx, 3xx, 4xx, 5xx).',
    labels: ['status_class'],
  },
  http_requests_total_by_route: {
    type: 'counter',
    help: 'HTTP requests by method, route pattern and status.',
    labels: ['method', 'route', 'status'],
  },
  http_request_duration_seconds: {
    type: 'histogram',
    help: 'Time from request to response (wall clock as the Worker sees it; includes storage and actor calls).',
    labels: [],
    buckets: DURATION_BUCKETS,
  },
  http_request_duration_seconds_by_route: {
    type: 'histogram',
    help: 'Request duration by method and route pattern.',
    labels: ['method', 'route'],
    buckets: DURATION_BUCKETS,
  },
  oauth_token_issued_total: {
    type: 'counter',
    help: 'Access tokens issued, by grant type.',
    labels: ['grant_type'],
    initial: [
      { grant_type: 'authorization_code' },
      { grant_type: 'client_credentials' },
      { grant_type: 'refresh_token' },
    ],
  },
  oauth_token_revoked_total: {
    type: 'counter',
    help: 'Grants (token families) revoked, by reason.',
    labels: ['reason'],
  },
  oauth_authorization_codes_issued: {
    type: 'counter',
    help: 'Authorization codes issued.',
    labels: [],
  },
  oauth_failed_authentications: {
    type: 'counter',
    help: 'Failed authentications: kind client (invalid_client), user (sign-in), token (invalid bearer token).',
    labels: ['kind'],
    initial: [{ kind: 'client' }, { kind: 'user' }, { kind: 'token' }],
  },
  rate_limit_rejected_total: {
    type: 'counter',
    help: 'Requests rejected by a rate limit rule (429).',
    labels: ['rule'],
    initial: [{ rule: 'global' }],
  },
  oauth_clients_total: {
    type: 'gauge',
    help: 'Registered clients in storage (the configured bootstrap admin client is not counted); counted when scraped.',
    labels: [],
    aggregation: 'max_live',
  },
  oauth_active_grants: {
    type: 'gauge',
    help: 'Active grants in storage (token families neither revoked nor expired): what is cheaply known of live tokens, not a count of tokens; counted when scraped.',
    labels: [],
    aggregation: 'max_live',
  },
  circuit_breaker_state: {
    type: 'gauge',
    help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open (the worst state any live isolate reports).',
    labels: ['circuit'],
    aggregation: 'max_live',
    initial: [{ circuit: 'storage' }],
  },
  circuit_breaker_trips_total: {
    type: 'counter',
    help: 'Times a circuit breaker opened.',
    labels: ['circuit'],
  },
  concurrent_requests_in_flight: {
    type: 'gauge',
    help: 'Requests in flight in an isolate (the per-isolate concurrency limit count) when it last reported; the largest over live isolates.',
    labels: [],
    aggregation: 'max_live',
  },
  rate_limit_remaining: {
    type: 'histogram',
    help: 'Budget left after each rate limit decision, by rule (0 when refused).',
    labels: ['rule'],
    buckets: REMAINING_BUCKETS,
  },
  back_pressure_rejected_total: {
    type: 'counter',
    help: 'Requests rejected by the per-isolate concurrency limit (503).',
    labels: [],
  },
  bulkhead_rejected_total: {
    type: 'counter',
    help: 'Requests rejected by a route-group bulkhead (503).',
    labels: ['bulkhead'],
  },
  errors_total: {
    type: 'counter',
    help: 'Internal errors by kind (server_error answers, event publishing failures, metrics flush failures).',
    labels: ['kind'],
  },
  db_queries_total: {
    type: 'counter',
    help: 'Storage calls by port and method (e.g. clients.get), and outcome: ok, error (an answer such as a conflict) or unavailable (the database failed or the breaker refused).',
    labels: ['port', 'method', 'outcome'],
  },
  db_query_duration_seconds: {
    type: 'histogram',
    help: 'Storage call duration by port and method.',
    labels: ['port', 'method'],
    buckets: DURATION_BUCKETS,
  },
  http_client_requests_total: {
    type: 'counter',
    help: 'Outbound HTTP calls by target and status (status 0: network error or timeout).',
    labels: ['target', 'status'],
  },
  http_client_request_duration_seconds: {
    type: 'histogram',
    help: 'Outbound HTTP call duration by target.',
    labels: ['target'],
    buckets: DURATION_BUCKETS,
  },
  events_published_total: {
    type: 'counter',
    help: 'Events handed to the queue, by type.',
    labels: ['type'],
  },
  events_publish_errors_total: {
    type: 'counter',
    help: 'Events that could not be handed to the queue (lost).',
    labels: [],
  },
  events_publish_duration_seconds: {
    type: 'histogram',
    help: 'Time to hand a batch of events to the queue.',
    labels: [],
    buckets: DURATION_BUCKETS,
  },
  events_consumed_total: {
    type: 'counter',
    help: 'Event deliveries handled by the consumer, by plugin and outcome (ok, duplicate, retry, failed, invalid).',
    labels: ['plugin', 'outcome'],
  },
  events_dead_lettered_total: {
    type: 'counter',
    help: 'Events that failed their last attempt and went to the dead-letter queue.',
    labels: [],
  },
  events_plugin_last_success_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time of the last successful delivery, by plugin.',
    labels: ['plugin'],
    aggregation: 'max',
  },
  events_plugin_last_failure_timestamp_seconds: {
    type: 'gauge',
    help: 'Unix time of the last failed delivery, by plugin.',
    labels: ['plugin'],
    aggregation: 'max',
  },
} as const satisfies Record<string, MetricDef>;

export type MetricName = keyof typeof METRICS;
type NamesOf<T extends MetricDef['type']> = {
  [K in MetricName]: (typeof METRICS)[K]['type'] extends T ? K : never;
}[MetricName];
export type CounterName = NamesOf<'counter'>;
export type GaugeName = NamesOf<'gauge'>;
export type HistogramName = NamesOf<'histogram'>;

/** The label values of a metric, by the label names of its definition. */
export type LabelsOf<N extends MetricName> = {
  [L in (typeof METRICS)[N]['labels'][number]]: string | number;
};

/** Circuit breaker states as circuit_breaker_state reports them (the larger, the worse). */
export const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;
