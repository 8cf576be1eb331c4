/**
 * The queue consumer: each message is a pack of envelopes or one envelope (src/events/pack.ts); each event
 * is fanned out to the plugins in order: storage (the recent-events store; also the deduplication point),
 * console, webhooks. An event already recorded on its first attempt is a duplicate delivery and is only
 * acknowledged. A failure retries with exponential backoff: the whole message, or, when only some events
 * of a pack failed, those events as a new pack; after EVENTS_MAX_RETRIES retries the queue moves the
 * message to the dead-letter queue.
 */
import type { MetricsRegistry } from '../observability/metrics';
import { parseEnvelope } from './envelope';
import { packEnvelopes, unpackMessage } from './pack';
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
  /**
   * Queues a pack (its text) again after `delaySeconds`: the failed part of a pack whose other events
   * went through. Without it a partly failed pack is retried whole.
   */
  requeue?: (pack: string, delaySeconds: number) => Promise<unknown>;
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

/** One event of a message (a message holds one, or a pack of them). */
interface Item {
  message: ConsumedMessage;
  envelope: EventEnvelope;
  /** Deliveries of this event so far, this one included (prior attempts of a requeued pack + the message's). */
  attempts: number;
}

/** Why an event's delivery failed: the plugin and its error. */
interface Failure {
  item: Item;
  stage: PluginName;
  error: unknown;
}

function report(deps: ConsumerDeps, { item, stage, error }: Failure, final: boolean): void {
  // Counted in events_dead_lettered_total by the dead-letter queue's consumer (src/events/dead-letter.ts).
  failed(deps, stage, final);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
  deps.logError(
    JSON.stringify({
      level: final ? 'error' : 'warn',
      msg: final ? 'event delivery failed; dead-lettered' : 'event delivery failed; will retry',
      event_id: item.envelope.id,
      type: item.envelope.type,
      plugin: stage,
      attempts: item.attempts,
      error: reason,
    }),
  );
}

/**
 * Runs the plugins after the storage step: a duplicate on its first attempt is done; otherwise the other
 * plugins run. Resolves with the failure, or null when the event is delivered.
 */
async function deliver(deps: ConsumerDeps, item: Item, isNew: boolean): Promise<Failure | null> {
  if (!isNew && item.attempts <= 1) {
    succeeded(deps, 'storage', 'duplicate');
    return null;
  }
  succeeded(deps, 'storage', isNew ? 'ok' : 'duplicate');
  for (const plugin of deps.plugins) {
    // The console line is written once, when the event is first recorded; webhooks run again on a retry.
    if (plugin.name === 'console' && !isNew) continue;
    try {
      await plugin.deliver(item.envelope);
    } catch (error) {
      return { item, stage: plugin.name, error };
    }
    succeeded(deps, plugin.name, 'ok');
  }
  return null;
}

/**
 * Messages handled at once after the storage step. A Worker invocation keeps at most 6 outbound
 * connections open and queues the rest, and a queued webhook call would spend its timeout waiting.
 */
export const CONSUMER_CONCURRENCY = 6;

/** A message with its valid events. */
interface Received {
  message: ConsumedMessage;
  items: Item[];
  packed: boolean;
  /** Deliveries of its events so far, this one included (the same for every event of the message). */
  attempts: number;
}

/** The events of each message; malformed ones are dropped (counted and logged), empty messages acknowledged. */
function receive(messages: readonly ConsumedMessage[], deps: ConsumerDeps): Received[] {
  const received: Received[] = [];
  for (const message of messages) {
    const { items, packed, priorAttempts } = unpackMessage(message.body);
    const attempts = priorAttempts + message.attempts;
    const valid: Item[] = [];
    for (const body of items) {
      const envelope = parseEnvelope(body, deps.nowMs());
      if (envelope !== null) {
        valid.push({ message, envelope, attempts });
        continue;
      }
      deps.metrics.inc('events_consumed_total', { plugin: 'storage', outcome: 'invalid' });
      deps.logError(
        JSON.stringify({ level: 'error', msg: 'event dropped: not an envelope', message_id: message.id }),
      );
    }
    if (valid.length === 0) message.ack();
    else received.push({ message, items: valid, packed, attempts });
  }
  return received;
}

/** Retries a whole message with backoff; after EVENTS_MAX_RETRIES retries the queue dead-letters it. */
function retryMessage(deps: ConsumerDeps, received: Received, failures: Failure[]): void {
  const { attempts } = received;
  const final = received.message.attempts > (deps.maxRetries ?? EVENTS_MAX_RETRIES);
  for (const failure of failures) report(deps, failure, final);
  received.message.retry({ delaySeconds: retryDelaySecs(attempts, deps.retryDelaySecs) });
}

/**
 * Settles a message after delivery: acknowledged when every event went through; retried whole when it is
 * one event or every event failed; otherwise only the failed events are queued again (a smaller pack
 * with their attempts so far, after the backoff delay) and the message is acknowledged.
 */
async function settle(deps: ConsumerDeps, received: Received, failures: Failure[]): Promise<void> {
  if (failures.length === 0) {
    received.message.ack();
    return;
  }
  if (!received.packed || failures.length === received.items.length || deps.requeue === undefined) {
    retryMessage(deps, received, failures);
    return;
  }
  const { attempts } = received;
  try {
    await deps.requeue(
      packEnvelopes(
        failures.map((failure) => failure.item.envelope),
        attempts,
      ),
      retryDelaySecs(attempts, deps.retryDelaySecs),
    );
  } catch {
    retryMessage(deps, received, failures);
    return;
  }
  for (const failure of failures) report(deps, failure, false);
  received.message.ack();
}

/**
 * Handles a batch: malformed events are dropped, the rest recorded in one storage call (a failure there
 * retries every message), then every event goes through the other plugins independently.
 */
export async function consumeEvents(messages: readonly ConsumedMessage[], deps: ConsumerDeps): Promise<void> {
  const received = receive(messages, deps);
  const items = received.flatMap((r) => r.items);
  if (items.length === 0) return;
  let fresh: boolean[];
  try {
    fresh = await deps.storage.record(items.map((item) => item.envelope));
  } catch (error) {
    for (const r of received) {
      retryMessage(
        deps,
        r,
        r.items.map((item) => ({ item, stage: 'storage' as const, error })),
      );
    }
    return;
  }
  const failures = new Map<ConsumedMessage, Failure[]>();
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      const item = items[i] as Item;
      const failure = await deliver(deps, item, fresh[i] ?? false);
      if (failure === null) continue;
      const list = failures.get(item.message);
      if (list) list.push(failure);
      else failures.set(item.message, [failure]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONSUMER_CONCURRENCY, items.length) }, lane));
  await Promise.all(received.map((r) => settle(deps, r, failures.get(r.message) ?? [])));
}
