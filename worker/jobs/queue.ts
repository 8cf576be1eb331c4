/**
 * The queue handler: `oauth2-events-dlq` (events whose delivery failed for good) to src/events/dead-letter,
 * every other queue (`oauth2-events`) to the consumer: the plugins built from the configuration, then
 * src/events/consumer. Metrics recorded here go to the aggregate like a request's (ctx.waitUntil).
 */
import { systemClock } from '../../src/clock';
import { type Config, loadConfig } from '../../src/config';
import { consumeEvents } from '../../src/events/consumer';
import { DEAD_LETTER_QUEUE, recordDeadLetters } from '../../src/events/dead-letter';
import { consolePlugin } from '../../src/events/plugins/console';
import { storagePlugin } from '../../src/events/plugins/storage';
import type { EventPlugin } from '../../src/events/plugins/types';
import { webhookPlugin } from '../../src/events/plugins/webhook';
import { isolateMetrics } from '../../src/observability/metrics';
import { createStorage, releaseStorage } from '../../src/storage';
import { afterWork } from '../wiring/telemetry';
import { backchannelPlugin } from './backchannel';

const DEFAULT_FLUSH_INTERVAL_SECS = 10;

export function handleQueue(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  return batch.queue === DEAD_LETTER_QUEUE
    ? handleDeadLetters(batch, env, ctx)
    : handleEventBatch(batch, env, ctx);
}

/**
 * Runs `work` with the configuration, then releases the storage and flushes the metrics as after a request.
 * Misconfigured: logs `misconfigured` and retries the whole batch in a minute, so that its messages are
 * kept (retried, then dead-lettered) rather than dropped.
 */
async function withConfig(
  batch: MessageBatch,
  env: Env,
  ctx: ExecutionContext,
  misconfigured: string,
  work: (config: Config) => Promise<void>,
): Promise<void> {
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    console.error(JSON.stringify({ level: 'error', msg: misconfigured }));
    batch.retryAll({ delaySeconds: 60 });
    return;
  }
  try {
    await work(loaded.config);
  } finally {
    releaseStorage(ctx);
  }
  afterWork(env, loaded.config.observability.metricsFlushIntervalSecs ?? DEFAULT_FLUSH_INTERVAL_SECS, ctx);
}

/** Records dead-lettered events in the recent-events store (nothing is delivered again). */
export function handleDeadLetters(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  return withConfig(batch, env, ctx, 'dead letters not recorded: server misconfigured', () =>
    recordDeadLetters(batch.messages, {
      events: createStorage(env, ctx).events,
      metrics: isolateMetrics,
      nowMs: systemClock.nowMs,
      logError: (line) => console.error(line),
    }),
  );
}

export function handleEventBatch(batch: MessageBatch, env: Env, ctx: ExecutionContext): Promise<void> {
  return withConfig(batch, env, ctx, 'events not consumed: server misconfigured', (config) =>
    consumeBatch(batch, env, ctx, config),
  );
}

/** Hands the batch to the consumer with the plugins the configuration enables. */
async function consumeBatch(
  batch: MessageBatch,
  env: Env,
  ctx: ExecutionContext,
  config: Config,
): Promise<void> {
  const { events } = config;
  const storage = createStorage(env, ctx);
  const store = storagePlugin({
    events: storage.events,
    grants: storage.grants,
    retentionDays: events.retentionDays,
    nowMs: systemClock.nowMs,
  });
  const plugins: EventPlugin[] = [];
  if (events.console) plugins.push(consolePlugin());
  // OIDC back-channel logout: delivers `backchannel_logout` events only (worker/jobs/backchannel.ts).
  plugins.push(backchannelPlugin(env, config, storage));
  if (events.webhookUrls.length > 0 && events.webhookSecret !== undefined) {
    plugins.push(
      webhookPlugin({
        urls: events.webhookUrls,
        secret: events.webhookSecret,
        timeoutMs: events.webhookTimeoutMs,
        policy: config.outbound,
        metrics: isolateMetrics,
        nowMs: systemClock.nowMs,
      }),
    );
  }
  await consumeEvents(batch.messages, {
    storage: store,
    plugins,
    metrics: isolateMetrics,
    nowMs: systemClock.nowMs,
    logError: (line) => console.error(line),
    retryDelaySecs: events.retryDelaySecs,
    requeue: (pack, delaySeconds) => env.EVENTS.send(pack, { contentType: 'text', delaySeconds }),
  });
  await store.sweep().catch(() => undefined);
}
