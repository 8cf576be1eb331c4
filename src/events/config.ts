/**
 * The `OAUTH2_EVENTS_*` and observability settings: their part of the environment schema (merged into
 * src/config.ts) and the typed result.
 */
import type { z } from 'zod';
import { flagDefault, list, oneOf, secret, wholeNumber } from '../config-fields';
import { outboundUrlProblem, REGISTRATION_POLICY } from '../outbound/policy';
import { EVENT_TYPES, type EventType } from './types';

export const FILTER_MODES = ['allow_all', 'include', 'exclude'] as const;
export type FilterMode = (typeof FILTER_MODES)[number];

/** Which events are published. */
export interface EventFilterConfig {
  enabled: boolean;
  mode: FilterMode;
  types: EventType[];
}

export interface EventsConfig extends EventFilterConfig {
  /** Where signed webhooks go (empty: the webhook plugin is off). */
  webhookUrls: string[];
  /** HMAC-SHA256 key of the `X-OAuth2-Signature` header; required (and strong) when URLs are set. */
  webhookSecret: string | undefined;
  webhookTimeoutMs: number;
  /** The console plugin: one JSON line per event. */
  console: boolean;
  /** Bearer token of `POST /events/ingest`; unset = nobody may ingest (unless public). */
  ingestBearerToken: string | undefined;
  publicIngest: boolean;
  /** The recent-events store keeps this many days. */
  retentionDays: number;
  /** First retry delay of a failed delivery; doubles per attempt, at most 10 minutes. */
  retryDelaySecs: number;
}

export interface ObservabilityConfig {
  /** One JSON log line per request. */
  logRequests: boolean;
  /**
   * The share of answered requests (status below 400) that get their log line, in percent; failed
   * requests are always logged. 100 logs every request.
   */
  logSamplePercent: number;
  /**
   * An isolate sends its metrics to the aggregate at least this often while it has something new.
   * 0 = after every request (one Durable Object call each: tests and tiny deployments only). At most 25:
   * the flush runs in a request's ctx.waitUntil, which lasts at most 30 s after the response.
   */
  metricsFlushIntervalSecs: number;
  /** Bearer token `GET /metrics` requires (OAUTH2_METRICS_TOKEN); unset: the metrics are public. */
  metricsToken: string | undefined;
}

/** The outbound policy (a loopback receiver is called only where the running server allows loopback). */
function checkWebhookUrl(value: string): string | null {
  return outboundUrlProblem(value, REGISTRATION_POLICY);
}

/** The environment variables of this part, validated (merged into the schema of src/config.ts). */
export const EventsEnvShape = {
  OAUTH2_EVENTS_ENABLED: flagDefault(true),
  OAUTH2_EVENTS_FILTER_MODE: oneOf(FILTER_MODES, 'allow_all'),
  OAUTH2_EVENTS_TYPES: list<EventType>({
    type: 'comma-separated event types',
    check: (types) => {
      const unknown = types.filter((type) => !(EVENT_TYPES as readonly string[]).includes(type));
      return unknown.length > 0 ? `names unknown event types: ${unknown.join(', ')}` : null;
    },
  }),
  OAUTH2_EVENTS_WEBHOOK_URLS: list({
    type: 'comma-separated URLs',
    check: (urls) => urls.map(checkWebhookUrl).find((problem) => problem !== null) ?? null,
  }),
  OAUTH2_EVENTS_WEBHOOK_SECRET: secret(),
  OAUTH2_EVENTS_WEBHOOK_TIMEOUT_MS: wholeNumber(5000, 100, 30_000),
  OAUTH2_EVENTS_CONSOLE: flagDefault(false),
  OAUTH2_EVENTS_INGEST_BEARER_TOKEN: secret(),
  OAUTH2_EVENTS_PUBLIC_INGEST: flagDefault(false),
  OAUTH2_EVENTS_RETENTION_DAYS: wholeNumber(30, 1, 3650),
  OAUTH2_EVENTS_RETRY_DELAY_SECS: wholeNumber(10, 0, 600),
  OAUTH2_LOG_REQUESTS: flagDefault(true),
  OAUTH2_LOG_SAMPLE_PERCENT: wholeNumber(100, 0, 100),
  OAUTH2_METRICS_FLUSH_INTERVAL_SECS: wholeNumber(10, 0, 25),
  OAUTH2_METRICS_TOKEN: secret(),
};

type EventsEnv = { [K in keyof typeof EventsEnvShape]: z.output<(typeof EventsEnvShape)[K]> };

/** Problems of the strict (production) checks: secrets that must be present and strong. */
export function eventsStrictProblems(
  env: EventsEnv,
  requireSecret: (name: string, value: string | undefined) => void,
): void {
  if (env.OAUTH2_EVENTS_WEBHOOK_URLS.length > 0) {
    requireSecret('OAUTH2_EVENTS_WEBHOOK_SECRET', env.OAUTH2_EVENTS_WEBHOOK_SECRET);
  }
  if (env.OAUTH2_EVENTS_INGEST_BEARER_TOKEN !== undefined) {
    requireSecret('OAUTH2_EVENTS_INGEST_BEARER_TOKEN', env.OAUTH2_EVENTS_INGEST_BEARER_TOKEN);
  }
  if (env.OAUTH2_METRICS_TOKEN !== undefined) requireSecret('OAUTH2_METRICS_TOKEN', env.OAUTH2_METRICS_TOKEN);
}

export function toEventsConfig(env: EventsEnv): EventsConfig {
  return {
    enabled: env.OAUTH2_EVENTS_ENABLED,
    mode: env.OAUTH2_EVENTS_FILTER_MODE,
    types: env.OAUTH2_EVENTS_TYPES,
    webhookUrls: env.OAUTH2_EVENTS_WEBHOOK_URLS,
    webhookSecret: env.OAUTH2_EVENTS_WEBHOOK_SECRET,
    webhookTimeoutMs: env.OAUTH2_EVENTS_WEBHOOK_TIMEOUT_MS,
    console: env.OAUTH2_EVENTS_CONSOLE,
    ingestBearerToken: env.OAUTH2_EVENTS_INGEST_BEARER_TOKEN,
    publicIngest: env.OAUTH2_EVENTS_PUBLIC_INGEST,
    retentionDays: env.OAUTH2_EVENTS_RETENTION_DAYS,
    retryDelaySecs: env.OAUTH2_EVENTS_RETRY_DELAY_SECS,
  };
}

export function toObservabilityConfig(env: EventsEnv): ObservabilityConfig {
  return {
    logRequests: env.OAUTH2_LOG_REQUESTS,
    logSamplePercent: env.OAUTH2_LOG_SAMPLE_PERCENT,
    metricsFlushIntervalSecs: env.OAUTH2_METRICS_FLUSH_INTERVAL_SECS,
    metricsToken: env.OAUTH2_METRICS_TOKEN,
  };
}

/** Whether an event of `type` is published under `filter`. */
export function eventAllowed(filter: EventFilterConfig, type: EventType): boolean {
  // Back-channel logout tokens travel as events: the filter (an observability choice) never stops them.
  if (type === 'backchannel_logout') return true;
  if (!filter.enabled) return false;
  switch (filter.mode) {
    case 'allow_all':
      return true;
    case 'include':
      return filter.types.includes(type);
    case 'exclude':
      return !filter.types.includes(type);
  }
}
