/**
 * Observability: metrics (per-isolate registry, aggregated across isolates by the MetricsActor),
 * W3C trace context, and the helpers other middleware records through (rate limiting, resilience).
 */
import { BREAKER_STATE } from './catalogue';
import { isolateMetrics } from './metrics';

export * from './catalogue';
export * from './metrics';
export * from './traceparent';

/** A rate limit rule answered 429 (`rule`: global, login_ip, login_user, invalid_client, registration, ...). */
export function recordRateLimitRejected(rule: string): void {
  isolateMetrics.inc('rate_limit_rejected_total', { rule });
}

/** The budget a rate limit rule left after a decision (0 when it refused); not called when it failed open. */
export function recordRateLimitRemaining(rule: string, remaining: number): void {
  isolateMetrics.observe('rate_limit_remaining', { rule }, Math.max(0, remaining));
}

/** The current state of a circuit breaker in this isolate (`circuit`: storage, webhook, ...). */
export function setCircuitBreakerState(circuit: string, state: keyof typeof BREAKER_STATE): void {
  isolateMetrics.set('circuit_breaker_state', { circuit }, BREAKER_STATE[state]);
}

/** A circuit breaker opened. */
export function recordCircuitBreakerTrip(circuit: string): void {
  isolateMetrics.inc('circuit_breaker_trips_total', { circuit });
}

/** The per-isolate concurrency limit answered 503. */
export function recordBackPressureRejected(): void {
  isolateMetrics.inc('back_pressure_rejected_total');
}

/** A route-group bulkhead answered 503. */
export function recordBulkheadRejected(bulkhead: string): void {
  isolateMetrics.inc('bulkhead_rejected_total', { bulkhead });
}
export * from './view';
