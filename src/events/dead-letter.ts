/**
 * The `oauth2-events-dlq` consumer: an event whose delivery still failed after the last retry lands here.
 * Each one (each event of a pack) is recorded in the recent-events store as an `event_dead_lettered` event (severity `error`,
 * the original id and type in its metadata), so operators see it in the admin Events page and API
 * (`?type=event_dead_lettered`), counted in `oauth2_server_events_dead_lettered_total` and logged once.
 * Nothing is delivered again: replay from the original event if needed. Redeliveries record nothing new.
 */
import type { MetricsRegistry } from '../observability/metrics';
import type { EventRecord, EventStore } from '../storage/ports';
import type { ConsumedMessage } from './consumer';
import { parseEnvelope, uuidv7 } from './envelope';
import { unpackMessage } from './pack';

/** Must equal the `dead_letter_queue` of the `oauth2-events` consumer in wrangler.toml. */
export const DEAD_LETTER_QUEUE = 'oauth2-events-dlq';
/** The type of the record of a dead-lettered event (not an event this server publishes). */
export const DEAD_LETTER_EVENT_TYPE = 'event_dead_lettered';
/** A failure to record retries after this long (the DLQ consumer's own max_retries bounds it). */
const RETRY_DELAY_SECS = 60;
const MAX_ID_LENGTH = 128;

export interface DeadLetterDeps {
  events: EventStore;
  metrics: MetricsRegistry;
  nowMs: () => number;
  /** Where dead letters are reported (one JSON line each: ids and type, no event content). */
  logError: (line: string) => void;
}

/**
 * What is known of one original event: its envelope when the item is one, else only the message id (and
 * the item's place in a pack).
 */
function deadLetterRecord(
  message: ConsumedMessage,
  item: unknown,
  place: string,
  nowMs: number,
): EventRecord {
  const envelope = parseEnvelope(item, nowMs);
  const originalId = (envelope?.id ?? `${message.id}${place}`).slice(0, MAX_ID_LENGTH);
  return {
    id: uuidv7(nowMs),
    type: DEAD_LETTER_EVENT_TYPE,
    time: Math.floor(nowMs / 1000),
    severity: 'error',
    userId: envelope?.user_id ?? null,
    clientId: envelope?.client_id ?? null,
    metadata: {
      event_id: originalId,
      event_type: envelope?.type ?? null,
      event_time: envelope?.time ?? null,
      message_id: message.id.slice(0, MAX_ID_LENGTH),
      valid_envelope: envelope !== null,
    },
    // One record per original event, however often the dead-letter queue delivers it.
    idempotencyKey: `dead_letter:${originalId}`,
    traceparent: envelope?.traceparent ?? null,
  };
}

/** One record per event of the message (a pack holds several). */
function deadLetterRecords(message: ConsumedMessage, nowMs: number): EventRecord[] {
  const { items, packed } = unpackMessage(message.body);
  if (items.length === 0) return [deadLetterRecord(message, null, '', nowMs)];
  return items.map((item, i) => deadLetterRecord(message, item, packed ? `#${i}` : '', nowMs));
}

/** Records a batch from the dead-letter queue (one storage round trip); a failure retries the batch. */
export async function recordDeadLetters(
  messages: readonly ConsumedMessage[],
  deps: DeadLetterDeps,
): Promise<void> {
  if (messages.length === 0) return;
  const now = deps.nowMs();
  const perMessage = messages.map((message) => deadLetterRecords(message, now));
  const records = perMessage.flat();
  let fresh: boolean[];
  try {
    fresh = await deps.events.recordMany(records);
  } catch (error) {
    const reason = error instanceof Error ? error.name : 'unknown error';
    deps.logError(
      JSON.stringify({
        level: 'error',
        msg: 'dead-lettered events not recorded; will retry',
        count: messages.length,
        error: reason,
      }),
    );
    for (const message of messages) message.retry({ delaySeconds: RETRY_DELAY_SECS });
    return;
  }
  let i = 0;
  for (const [m, message] of messages.entries()) {
    for (const record of perMessage[m] ?? []) {
      if (fresh[i]) {
        deps.metrics.inc('events_dead_lettered_total');
        deps.logError(
          JSON.stringify({
            level: 'error',
            msg: 'event dead-lettered',
            event_id: record.metadata.event_id,
            type: record.metadata.event_type,
            message_id: record.metadata.message_id,
            attempts: message.attempts,
          }),
        );
      }
      i += 1;
    }
    message.ack();
  }
}
