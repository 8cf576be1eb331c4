/**
 * The `OAUTH2_RATE_LIMIT_*` settings: their part of the environment schema (merged into src/config.ts)
 * and the typed result.
 */
import type { z } from 'zod';
import { flagDefault, httpUrl, oneOf, secret, wholeNumber } from '../config-fields';
import { BACKENDS, type BackendName, type RateLimitRule } from './types';

export interface RateLimitConfig {
  enabled: boolean;
  backend: BackendName;
  /** Every request except /health, /ready and /metrics, per client IP. */
  global: RateLimitRule;
  /** invalid_client failures per (client_id, client IP); further requests of that pair answer 429. */
  invalidClient: RateLimitRule;
  /** Dynamic client registrations (POST /connect/register) per client IP. */
  registration: RateLimitRule;
  /** Durable Object backend: how many RateLimiter objects the keys are spread over. */
  durableObjectShards: number;
  /** Durable Object backend: the most hits one isolate may take from the object in one call (1 = exact per hit). */
  durableObjectMaxLease: number;
  upstashUrl: string | undefined;
  upstashToken: string | undefined;
  /** A backend call slower than this fails open. */
  timeoutMs: number;
}

export const RateLimitEnvShape = {
  OAUTH2_RATE_LIMIT_ENABLED: flagDefault(true),
  OAUTH2_RATE_LIMIT_BACKEND: oneOf(BACKENDS, 'durable_object'),
  OAUTH2_RATE_LIMIT_MAX_REQUESTS: wholeNumber(100, 1, 1_000_000_000),
  OAUTH2_RATE_LIMIT_WINDOW_SECS: wholeNumber(60, 1, 86_400),
  OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: wholeNumber(5, 1, 1_000_000_000),
  OAUTH2_RATE_LIMIT_REGISTRATION_MAX_REQUESTS: wholeNumber(10, 1, 1_000_000_000),
  OAUTH2_RATE_LIMIT_DO_SHARDS: wholeNumber(64, 1, 4096),
  OAUTH2_RATE_LIMIT_DO_MAX_LEASE: wholeNumber(64, 1, 1024),
  OAUTH2_RATE_LIMIT_UPSTASH_URL: httpUrl(),
  OAUTH2_RATE_LIMIT_UPSTASH_TOKEN: secret(),
  OAUTH2_RATE_LIMIT_TIMEOUT_MS: wholeNumber(1000, 10, 30_000),
};

type RateLimitEnv = { [K in keyof typeof RateLimitEnvShape]: z.output<(typeof RateLimitEnvShape)[K]> };

/** Settings that must come together: problems name the setting, never its value. */
export function rateLimitProblems(env: RateLimitEnv, bindings: object): string[] {
  if (!env.OAUTH2_RATE_LIMIT_ENABLED) return [];
  const problems: string[] = [];
  if (env.OAUTH2_RATE_LIMIT_BACKEND === 'upstash') {
    if (env.OAUTH2_RATE_LIMIT_UPSTASH_URL === undefined)
      problems.push('OAUTH2_RATE_LIMIT_UPSTASH_URL is not set (OAUTH2_RATE_LIMIT_BACKEND=upstash)');
    if (env.OAUTH2_RATE_LIMIT_UPSTASH_TOKEN === undefined)
      problems.push('OAUTH2_RATE_LIMIT_UPSTASH_TOKEN is not set (OAUTH2_RATE_LIMIT_BACKEND=upstash)');
  }
  if (env.OAUTH2_RATE_LIMIT_BACKEND === 'kv' && Reflect.get(bindings, 'RATE_LIMIT_KV') === undefined) {
    problems.push('RATE_LIMIT_KV is not bound (OAUTH2_RATE_LIMIT_BACKEND=kv)');
  }
  return problems;
}

export function toRateLimitConfig(env: RateLimitEnv): RateLimitConfig {
  const windowSecs = env.OAUTH2_RATE_LIMIT_WINDOW_SECS;
  return {
    enabled: env.OAUTH2_RATE_LIMIT_ENABLED,
    backend: env.OAUTH2_RATE_LIMIT_BACKEND,
    global: { name: 'global', limit: env.OAUTH2_RATE_LIMIT_MAX_REQUESTS, windowSecs },
    invalidClient: {
      name: 'invalid_client',
      limit: env.OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS,
      windowSecs,
    },
    registration: {
      name: 'registration',
      limit: env.OAUTH2_RATE_LIMIT_REGISTRATION_MAX_REQUESTS,
      windowSecs,
    },
    durableObjectShards: env.OAUTH2_RATE_LIMIT_DO_SHARDS,
    durableObjectMaxLease: env.OAUTH2_RATE_LIMIT_DO_MAX_LEASE,
    upstashUrl: env.OAUTH2_RATE_LIMIT_UPSTASH_URL,
    upstashToken: env.OAUTH2_RATE_LIMIT_UPSTASH_TOKEN,
    timeoutMs: env.OAUTH2_RATE_LIMIT_TIMEOUT_MS,
  };
}
