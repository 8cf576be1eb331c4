/**
 * The Worker entry: HTTP through the Hono app, the `oauth2-events` queue through the event consumer and
 * its dead-letter queue `oauth2-events-dlq` through the dead-letter recorder (both in worker/jobs/queue.ts),
 * the Cron Trigger through the scheduled jobs (worker/jobs/scheduled.ts);
 * Durable Object classes re-exported for their bindings.
 */
import { releaseStorage } from '../src/storage';
import { createApp } from './app';
import { handleQueue } from './jobs/queue';
import { runScheduledJobs } from './jobs/scheduled';

export { AuthActor } from '../durable-objects/auth-actor';
export { ClientActor } from '../durable-objects/client-actor';
export { KeyRing } from '../durable-objects/key-ring';
export { LoginThrottle } from '../durable-objects/login-throttle';
export { MetricsActor } from '../durable-objects/metrics-actor';
export { RateLimiter } from '../durable-objects/rate-limiter';
export { ReplayGuard } from '../durable-objects/replay-guard';
export { TokenActor } from '../durable-objects/token-actor';

const app = createApp();

export default {
  async fetch(request, env, ctx) {
    try {
      return await app.fetch(request, env, ctx);
    } finally {
      // The request's Postgres pool (if it opened one) ends after the response, through ctx.waitUntil.
      releaseStorage(ctx);
    }
  },
  queue: handleQueue,
  async scheduled(controller, env, ctx) {
    await runScheduledJobs(controller, env, ctx);
  },
} satisfies ExportedHandler<Env>;
