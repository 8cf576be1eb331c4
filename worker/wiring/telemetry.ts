/**
 * The Worker side of events and metrics, per isolate: the event bus (flushed to the `EVENTS` queue after
 * responses), the request observations (trace context, client and user of each request), and the
 * metrics flusher that sends this isolate's deltas to the MetricsActor shards.
 *
 * Staleness bound of `/metrics`: an isolate sends its delta when OAUTH2_METRICS_FLUSH_INTERVAL_SECS
 * (default 10 s) have passed or FLUSH_EVERY_RECORDINGS recordings piled up, and a request that finds
 * unsent data schedules a flush for the end of the interval (ctx.waitUntil), so whatever an isolate
 * recorded reaches the aggregate within one interval (plus one RPC), even if no request follows.
 * The isolate serving `/metrics` flushes its own delta first.
 */

import { systemClock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import { EventBus } from '../../src/events/bus';
import type { EventPort } from '../../src/events/types';
import {
  isolateMetrics,
  type MetricsDelta,
  type MetricsSnapshot,
  mergeSnapshots,
  metricKey,
} from '../../src/observability/metrics';
import type { TraceContext } from '../../src/observability/traceparent';
import type { Storage } from '../../src/storage';
import { concurrencyLimits } from './resilience';

/** What the request log and the events of one request share. */
export interface RequestObservation {
  trace: TraceContext;
  /** The client the request acted for, once known (events, client authentication). */
  clientId: string | null;
  /** The user the request acted for, once known (events, session). */
  userId: string | null;
}

/** Anything with waitUntil: a request's ExecutionContext, a queue handler's. */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

// --- events -------------------------------------------------------------------------------------------

const buses = new WeakMap<object, EventBus>();
/** Observations by the request's ExecutionContext, so an OAuthContext built with it finds its trace. */
const observations = new WeakMap<object, RequestObservation>();

/** This isolate's event bus for `env` (one per env object, like the configuration). */
export function eventBus(env: Env, config: Config): EventBus {
  let bus = buses.get(env);
  if (bus === undefined) {
    bus = new EventBus(config.events, env.EVENTS, isolateMetrics, systemClock.nowMs);
    buses.set(env, bus);
  }
  return bus;
}

export function observeRequest(scope: object, observation: RequestObservation): void {
  observations.set(scope, observation);
}

/**
 * The EventPort of a request: events carry its traceparent and name its client and user in its log
 * line. Without `scope` (tools, `app.request` in tests) events still go out, without a trace.
 */
export function eventPort(env: Env, config: Config, scope?: object): EventPort {
  return eventPortFor(env, config, scope === undefined ? undefined : observations.get(scope));
}

/** The EventPort for a known observation (or none). */
export function eventPortFor(
  env: Env,
  config: Config,
  observation: RequestObservation | undefined,
): EventPort {
  return {
    publish(event) {
      if (observation) {
        observation.clientId ??= event.clientId ?? null;
        observation.userId ??= event.userId ?? null;
      }
      eventBus(env, config).publish(event, observation?.trace.traceparent ?? null);
    },
  };
}

/**
 * Events of concurrent requests in an isolate are sent together: the first request that leaves events in
 * the buffer schedules a send EVENT_BATCH_WINDOW_MS later in its ctx.waitUntil; requests finishing
 * meanwhile only add to the buffer. A full batch (100) goes at once.
 */
export const EVENT_BATCH_WINDOW_MS = 20;
const FULL_BATCH = 100;
const scheduledSends = new WeakSet<EventBus>();

/** Hands buffered events to the queue after the response (at once without an ExecutionContext). */
export function flushEvents(env: Env, scope: WaitUntil | undefined): void {
  const bus = buses.get(env);
  if (bus === undefined || bus.pending === 0) return;
  if (scope === undefined || bus.pending >= FULL_BATCH) {
    const sending = bus.flush();
    scope?.waitUntil(sending);
    return;
  }
  if (scheduledSends.has(bus)) return;
  scheduledSends.add(bus);
  const wait = new Promise((resolve) => setTimeout(resolve, EVENT_BATCH_WINDOW_MS));
  scope.waitUntil(
    wait.then(() => {
      scheduledSends.delete(bus);
      return bus.flush();
    }),
  );
}

// --- metrics ------------------------------------------------------------------------------------------

/** Shards of the aggregate; an isolate always flushes to the same one. Changing it strands old counts. */
export const METRICS_SHARDS = 4;
/** A busy isolate flushes early after this many recordings. */
const FLUSH_EVERY_RECORDINGS = 2000;

/** This isolate's id and shard, chosen on first use (randomness is not allowed at module scope). */
let isolate: { id: string; shard: number } | null = null;
let lastFlushMs = 0;
let timerPending = false;
let inFlight: Promise<void> | null = null;

function shard(env: Env, n: number) {
  return env.METRICS_ACTOR.get(env.METRICS_ACTOR.idFromName(`metrics-${n}`));
}

function hasContent(delta: MetricsDelta): boolean {
  return [delta.counters, delta.gauges, delta.maxGauges].some((part) => Object.keys(part).length > 0);
}

/** The isolate's in-flight request count (the concurrency limit's), as of this flush. */
function recordInFlight(env: Env): void {
  const loaded = loadConfig(env);
  if (!loaded.ok) return;
  isolateMetrics.set(
    'concurrent_requests_in_flight',
    {},
    concurrencyLimits(env, loaded.config).global.inFlight,
  );
}

/** Sends this isolate's delta to its shard now (one at a time); a failed send keeps the delta for later. */
export function flushMetrics(env: Env): Promise<void> {
  if (inFlight) return inFlight.then(() => flushMetrics(env));
  recordInFlight(env);
  const delta = isolateMetrics.takeDelta();
  lastFlushMs = systemClock.nowMs();
  if (!hasContent(delta)) return Promise.resolve();
  if (isolate === null) {
    const id = crypto.randomUUID();
    isolate = { id, shard: Number.parseInt(id.slice(0, 8), 16) % METRICS_SHARDS };
  }
  const sending = shard(env, isolate.shard)
    .merge(isolate.id, delta, systemClock.nowSecs())
    .catch(() => {
      isolateMetrics.restore(delta);
      isolateMetrics.inc('errors_total', { kind: 'metrics_flush' });
    })
    .finally(() => {
      inFlight = null;
    });
  inFlight = sending;
  return sending;
}

/** After each request or batch: flush when due, else make sure a flush is scheduled within the interval. */
export function afterWork(env: Env, intervalSecs: number, scope: WaitUntil | undefined): void {
  if (!isolateMetrics.dirty || scope === undefined) return;
  const intervalMs = intervalSecs * 1000;
  const elapsed = systemClock.nowMs() - lastFlushMs;
  if (elapsed >= intervalMs || isolateMetrics.pendingRecordings >= FLUSH_EVERY_RECORDINGS) {
    scope.waitUntil(flushMetrics(env));
    return;
  }
  if (timerPending) return;
  timerPending = true;
  const wait = new Promise((resolve) => setTimeout(resolve, intervalMs - elapsed));
  scope.waitUntil(
    wait.then(() => {
      timerPending = false;
      return isolateMetrics.dirty ? flushMetrics(env) : undefined;
    }),
  );
}

/** The global aggregate: this isolate's delta flushed first, then every shard read and merged. */
export async function readMetrics(env: Env): Promise<MetricsSnapshot> {
  await flushMetrics(env);
  const now = systemClock.nowSecs();
  const shards = await Promise.all(
    Array.from({ length: METRICS_SHARDS }, (_, n) => shard(env, n).snapshot(now)),
  );
  return mergeSnapshots(shards);
}

/**
 * Gauges counted in storage when the figures are read (a COUNT each, never on the request path):
 * registered clients and active grants. Left out when storage cannot answer; the rest of the figures
 * do not depend on it.
 */
export async function storageGauges(storage: Storage, nowSecs: number): Promise<Record<string, number>> {
  try {
    const [clients, grants] = await Promise.all([
      storage.clients.count(),
      storage.grants.countActive(nowSecs),
    ]);
    return { [metricKey('oauth_clients_total')]: clients, [metricKey('oauth_active_grants')]: grants };
  } catch {
    return {};
  }
}

/** What GET /metrics and the admin metrics page show: the aggregate and the storage gauges. */
export async function collectMetrics(env: Env, storage: Storage): Promise<MetricsSnapshot> {
  const [snapshot, gauges] = await Promise.all([
    readMetrics(env),
    storageGauges(storage, systemClock.nowSecs()),
  ]);
  return { ...snapshot, gauges: { ...snapshot.gauges, ...gauges } };
}
