/**
 * Whether the `workers-upstash` project runs: with redis-server it runs; without, it is skipped with a
 * warning, unless CI=true, where it stays in the run and its global setup fails it (CI never passes
 * without having run the Upstash backend against a real Redis). Kept free of imports so a plain Node test
 * can check it (test/node/upstash-decision.test.ts).
 */

export type UpstashSuiteDecision =
  | { action: 'run' }
  /** Left out of the run; `message` is printed as a warning. */
  | { action: 'skip'; message: string }
  /** Kept in the run so that its global setup fails it with `message`. */
  | { action: 'fail'; message: string };

export const MISSING_REDIS_MESSAGE =
  'redis-server was not found on PATH; the Upstash rate-limiter tests cannot run ' +
  '(install it: apt-get install -y redis-server).';

export const SKIP_MESSAGE =
  '⚠ redis-server not found: the `workers-upstash` project (the Upstash rate-limit backend against a ' +
  'real Redis) is SKIPPED. Install it (apt-get install -y redis-server) to run it; with CI=true a ' +
  'missing redis-server fails the run instead.';

/** The decision for this environment (`CI`) and the redis-server found on PATH (null: none). */
export function upstashSuiteDecision(
  env: Readonly<Record<string, string | undefined>>,
  redisServer: string | null,
): UpstashSuiteDecision {
  if (redisServer !== null) return { action: 'run' };
  if (env.CI === 'true') return { action: 'fail', message: MISSING_REDIS_MESSAGE };
  return { action: 'skip', message: SKIP_MESSAGE };
}
