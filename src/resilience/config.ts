/**
 * The `OAUTH2_RESILIENCE_*` settings: their part of the environment schema (merged into src/config.ts)
 * and the typed result. Every limit here is per isolate (see docs/architecture.md).
 */
import type { z } from 'zod';
import { flagDefault, wholeNumber } from '../config-fields';
import type { BulkheadName } from './concurrency';

export interface BreakerSettings {
  failureThreshold: number;
  successThreshold: number;
  openSecs: number;
  halfOpenMaxProbes: number;
}

export interface ResilienceConfig {
  /** Master switch: off = no breaker, no concurrency limit, no bulkheads (timeouts stay). */
  enabled: boolean;
  /** Circuit breakers around storage and outbound calls. */
  breakerEnabled: boolean;
  breaker: BreakerSettings;
  /** The per-isolate ceiling on requests in flight (back-pressure). */
  backPressureEnabled: boolean;
  maxConcurrent: number;
  /** Requests in flight per route group, per isolate. */
  bulkheads: Record<BulkheadName, number>;
}

export const ResilienceEnvShape = {
  OAUTH2_RESILIENCE_ENABLED: flagDefault(true),
  OAUTH2_RESILIENCE_CB_ENABLED: flagDefault(true),
  OAUTH2_RESILIENCE_CB_FAILURE_THRESHOLD: wholeNumber(5, 1, 1000),
  OAUTH2_RESILIENCE_CB_SUCCESS_THRESHOLD: wholeNumber(2, 1, 1000),
  OAUTH2_RESILIENCE_CB_OPEN_SECS: wholeNumber(30, 1, 3600),
  OAUTH2_RESILIENCE_CB_HALF_OPEN_MAX_PROBES: wholeNumber(3, 1, 1000),
  OAUTH2_RESILIENCE_BP_ENABLED: flagDefault(true),
  OAUTH2_RESILIENCE_MAX_CONCURRENT: wholeNumber(1000, 1, 1_000_000),
  OAUTH2_RESILIENCE_BULKHEAD_TOKEN_MAX: wholeNumber(200, 1, 1_000_000),
  OAUTH2_RESILIENCE_BULKHEAD_PAGES_MAX: wholeNumber(200, 1, 1_000_000),
  OAUTH2_RESILIENCE_BULKHEAD_ADMIN_MAX: wholeNumber(200, 1, 1_000_000),
  OAUTH2_RESILIENCE_BULKHEAD_REGISTRATION_MAX: wholeNumber(200, 1, 1_000_000),
};

type ResilienceEnv = { [K in keyof typeof ResilienceEnvShape]: z.output<(typeof ResilienceEnvShape)[K]> };

export function toResilienceConfig(env: ResilienceEnv): ResilienceConfig {
  return {
    enabled: env.OAUTH2_RESILIENCE_ENABLED,
    breakerEnabled: env.OAUTH2_RESILIENCE_ENABLED && env.OAUTH2_RESILIENCE_CB_ENABLED,
    breaker: {
      failureThreshold: env.OAUTH2_RESILIENCE_CB_FAILURE_THRESHOLD,
      successThreshold: env.OAUTH2_RESILIENCE_CB_SUCCESS_THRESHOLD,
      openSecs: env.OAUTH2_RESILIENCE_CB_OPEN_SECS,
      halfOpenMaxProbes: env.OAUTH2_RESILIENCE_CB_HALF_OPEN_MAX_PROBES,
    },
    backPressureEnabled: env.OAUTH2_RESILIENCE_ENABLED && env.OAUTH2_RESILIENCE_BP_ENABLED,
    maxConcurrent: env.OAUTH2_RESILIENCE_MAX_CONCURRENT,
    bulkheads: {
      token: env.OAUTH2_RESILIENCE_BULKHEAD_TOKEN_MAX,
      pages: env.OAUTH2_RESILIENCE_BULKHEAD_PAGES_MAX,
      admin: env.OAUTH2_RESILIENCE_BULKHEAD_ADMIN_MAX,
      registration: env.OAUTH2_RESILIENCE_BULKHEAD_REGISTRATION_MAX,
    },
  };
}
