/**
 * The queue consumer: each message is one envelope, fanned out to the plugins in order: storage (the
 * recent-events store; also the deduplication point), console, webhooks. A message whose event was
 * already recorded on its first attempt is a duplicate delivery and is only acknowledged. Any failure
 * retries the message with exponential backoff; after EVENTS_MAX_RETRIES retries the queue moves it to the
 * dead-letter queue.
 */
import type { MetricsRegistry } from '../observability/metrics';
import { parseEnvelope } from './envelope';
import type { EventPlugin, PluginName, RecordingPlugin } from './plugins/types';
import type { EventEnvelope } from './types';

/** Must equal `max_retries` of the consumer in wrangler.toml. */
export const EVENTS_MAX_RETRIES = 5;
const DEFAULT_BASE_DELAY_SECS = 10;
const MAX_DELAY_SECS = 600;

/** The delay before attempt `attempts + 1`: base, 2 × base, 4 × base, ... (default 10 s), at most 10 minutes. */
export function retryDelaySecs(attempts: number, baseSecs = DEFAULT_BASE_DELAY_SECS): number {
  return Math.min(MAX_DELAY_SECS, baseSecs * 2 ** Math.max(0, attempts - 1));
}

/** The part of a Queues `Message` the consumer uses. */
export interface ConsumedMessage {
  readonly id: string;
  readonly body: unknown;
  /** 1 on the first delivery. */
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

export interface ConsumerDeps {
  storage: RecordingPlugin;
  /** Console and webhooks (only the enabled ones), run after storage for new events and retries. */
  plugins: EventPlugin[];
  metrics: MetricsRegistry;
  nowMs: () => number;
  /** Where failures are reported (one JSON line; no event content beyond id and type). */
  logError: (line: string) => void;
  maxRetries?: number;
  /** OAUTH2_EVENTS_RETRY_DELAY_SECS. */
  retryDelaySecs?: number;
}

function succeeded(deps: ConsumerDeps, plugin: PluginName, outcome: 'ok' | 'duplicate'): void {
  deps.metrics.inc('events_consumed_total', { plugin, outcome });
  deps.metrics.set(
    'events_plugin_last_success_timestamp_seconds',
    { plugin },
    Math.floor(deps.nowMs() / 1000),
  );
}

function failed(deps: ConsumerDeps, plugin: PluginName, final: boolean): void {
  deps.metrics.inc('events_consumed_total', { plugin, outcome: final ? 'failed' : 'retry' });
  deps.metrics.set(
    'events_plugin_last_failure_timestamp_seconds',
    { plugin },
    Math.floor(deps.nowMs() / 1000),
  );
}

interface Parsed {
  message: ConsumedMessage;
  envelope: EventEnvelope;
}

function retry(deps: ConsumerDeps, { message, envelope }: Parsed, stage: PluginName, error: unknown): void {
  const final = message.attempts > (deps.maxRetries ?? EVENTS_MAX_RETRIES);
  // Counted in events_dead_lettered_total by the dead-letter queue's consumer (src/events/dead-letter.ts).
  failed(deps, stage, final);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
  deps.logError(
    JSON.stringify({
      level: final ? 'error' : 'warn',
      msg: final ? 'event delivery failed; dead-lettered' : 'event delivery failed; will retry',
      event_id: envelope.id,
      type: envelope.type,
      plugin: stage,
      attempts: message.attempts,
      error: reason,
    }),
  );
  message.retry({ delaySeconds: retryDelaySecs(message.attempts, deps.retryDelaySecs) });
}

/** After the storage step: a duplicate on its first attempt is done; otherwise the other plugins run. */
async function deliver(deps: ConsumerDeps, parsed: Parsed, isNew: boolean): Promise<void> {
  const { message, envelope } = parsed;
  if (!isNew && message.attempts <= 1) {
    succeeded(deps, 'storage', 'duplicate');
    message.ack();
    return;
  }
  succeeded(deps, 'storage', isNew ? 'ok' : 'duplicate');
  for (const plugin of deps.plugins) {
    // The console line is written once, when the event is first recorded; webhooks run again on a retry.
    if (plugin.name === 'console' && !isNew) continue;
    try {
      await plugin.deliver(envelope);
    } catch (error) {
      retry(deps, parsed, plugin.name, error);
      return;
    }
    succeeded(deps, plugin.name, 'ok');
  }
  message.ack();
}

/**
 * Messages handled at once after the storage step. A Worker invocation keeps at most 6 outbound
 * connections open and queues the rest, and a queued webhook call would spend its timeout waiting.
 */
export const CONSUMER_CONCURRENCY = 6;

/**
 * Handles a batch: malformed messages are dropped, the rest recorded in one storage call (a failure there
 * retries them all), then every message goes through the other plugins independently.
 */
export async function consumeEvents(messages: readonly ConsumedMessage[], deps: ConsumerDeps): Promise<void> {
  const batch: Parsed[] = [];
  for (const message of messages) {
    const envelope = parseEnvelope(message.body, deps.nowMs());
    if (envelope !== null) {
      batch.push({ message, envelope });
      continue;
    }
    deps.metrics.inc('events_consumed_total', { plugin: 'storage', outcome: 'invalid' });
    deps.logError(
      JSON.stringify({ level: 'error', msg: 'event dropped: not an envelope', message_id: message.id }),
    );
    message.ack();
  }
  if (batch.length === 0) return;
  let fresh: boolean[];
  try {
    fresh = await deps.storage.record(batch.map((parsed) => parsed.envelope));
  } catch (error) {
    for (const parsed of batch) retry(deps, parsed, 'storage', error);
    return;
  }
  let next = 0;
  const lane = async () => {
    while (next < batch.length) {
      const i = next;
      next += 1;
      await deliver(deps, batch[i] as Parsed, fresh[i] ?? false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONSUMER_CONCURRENCY, batch.length) }, lane));
}
