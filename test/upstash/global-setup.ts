/**
 * Vitest global setup (Node side) for the `workers-upstash` project: a throwaway redis-server and the
 * Upstash-compatible REST server in front of it (rest-server.ts). Their URL and token reach the tests
 * through `provide` / `inject`; both are stopped at the end. Without redis-server vitest.config.ts leaves
 * the project out, except with CI=true, where this setup then fails the run.
 */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { upstashSuiteDecision } from './decision';
import { findRedisServer, startRedis } from './redis';
import { startUpstashRestServer } from './rest-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the Upstash-compatible REST server. */
    upstashUrl: string;
    /** Its Bearer token. */
    upstashToken: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const bin = findRedisServer();
  const decision = upstashSuiteDecision(process.env, bin);
  // Only reached with CI=true when redis-server is missing (otherwise vitest.config.ts leaves us out).
  if (decision.action !== 'run' || bin === null) {
    throw new Error(decision.action === 'run' ? 'redis-server disappeared' : decision.message);
  }
  const redis = await startRedis(bin);
  try {
    const rest = await startUpstashRestServer({
      redisUrl: redis.url,
      token: randomBytes(24).toString('hex'),
    });
    project.provide('upstashUrl', rest.url);
    project.provide('upstashToken', rest.token);
    return async () => {
      await rest.close();
      await redis.stop();
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}
