/**
 * The outermost middleware: the request's trace context (W3C traceparent, continued when valid), then on
 * the way out its metrics (in memory), one JSON log line, and the after-response work: buffered events to
 * the queue, metrics to the aggregate when due (both through ctx.waitUntil, never awaited here).
 *
 * The log line carries the request id, method, route pattern, status, latency and, when known, the client
 * and user ids and the trace id. Never a path, query, body, header value, cookie or token.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { systemClock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import type { EventPort } from '../../src/events/types';
import { MissingBearerError } from '../../src/oauth/errors';
import { isolateMetrics } from '../../src/observability/metrics';
import { startSpan } from '../../src/observability/traceparent';
import type { AppEnv } from '../context';
import { executionContextOf } from '../wiring/request-storage';
import {
  afterWork,
  eventPortFor,
  flushEvents,
  observeRequest,
  type RequestObservation,
} from '../wiring/telemetry';
import { toOAuthError } from './errors';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const DEFAULT_FLUSH_INTERVAL_SECS = 10;

/** The route pattern that answered (`/connect/register/:client_id`), never the raw path. */
function routeLabel(c: Context<AppEnv>, status: number): string {
  const pattern = routePath(c);
  // Only middleware matched (no route): a 404, or an answer from a middleware such as the config guard.
  if (pattern === '' || pattern === '*' || pattern.endsWith('/*')) return status === 404 ? 'unmatched' : '*';
  return pattern;
}

function recordRequest(c: Context<AppEnv>, method: string, route: string, status: number, seconds: number) {
  const metrics = isolateMetrics;
  metrics.inc('http_requests_total');
  metrics.inc('http_requests_by_class_total', { status_class: `${Math.floor(status / 100)}xx` });
  metrics.inc('http_requests_total_by_route', { method, route, status });
  metrics.observe('http_request_duration_seconds', undefined, seconds);
  metrics.observe('http_request_duration_seconds_by_route', { method, route }, seconds);
  const error = c.error;
  if (error === undefined) return;
  const known = toOAuthError(error);
  if (known === null) metrics.inc('errors_total', { kind: 'server_error' });
  else if (known.error === 'invalid_client') metrics.inc('oauth_failed_authentications', { kind: 'client' });
  // A missing token is not a failed authentication (RFC 6750 §3.1: no error code).
  else if (known.error === 'invalid_token' && !(known instanceof MissingBearerError)) {
    metrics.inc('oauth_failed_authentications', { kind: 'token' });
  }
}

/**
 * Whether this request gets its log line: every failed request (status 400 and above), and the
 * OAUTH2_LOG_SAMPLE_PERCENT share of the others (all of them by default).
 */
function shouldLog(config: Config | null, status: number): boolean {
  if (config === null) return true;
  const { logRequests, logSamplePercent } = config.observability;
  if (!logRequests) return false;
  return status >= 400 || logSamplePercent >= 100 || Math.random() * 100 < logSamplePercent;
}

/** The EventPort of this request (events carry its traceparent and name its client and user in its log). */
export function requestEvents(c: Context<AppEnv>): EventPort {
  return eventPortFor(c.env, c.get('config'), c.get('obs'));
}

/** Names the client a request acted for in its log line (for routes that authenticate one without an event). */
export function observeClient(c: Context<AppEnv>, clientId: string | null | undefined): void {
  const observation = c.get('obs');
  if (observation && clientId) observation.clientId ??= clientId;
}

export const observability: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = systemClock.nowMs();
  const observation: RequestObservation = {
    trace: startSpan(c.req.header('traceparent')),
    clientId: null,
    userId: null,
  };
  c.set('obs', observation);
  const scope = executionContextOf(c);
  if (scope) observeRequest(scope, observation);

  await next();

  const latencyMs = systemClock.nowMs() - started;
  const status = c.res.status;
  const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
  const route = routeLabel(c, status);
  recordRequest(c, method, route, status, latencyMs / 1000);

  const loaded = loadConfig(c.env);
  const config = loaded.ok ? loaded.config : null;
  if (shouldLog(config, status)) {
    const line = {
      level: status >= 500 ? 'error' : 'info',
      msg: 'request',
      request_id: c.get('requestId') ?? null,
      method,
      route,
      status,
      latency_ms: latencyMs,
      client_id: observation.clientId,
      user_id: observation.userId ?? c.get('session')?.userId ?? null,
      trace_id: observation.trace.traceId,
    };
    console.log(JSON.stringify(line));
  }
  flushEvents(c.env, scope);
  afterWork(c.env, config?.observability.metricsFlushIntervalSecs ?? DEFAULT_FLUSH_INTERVAL_SECS, scope);
};
