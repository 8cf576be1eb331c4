/**
 * Messages of the events queue. The bus sends the envelopes of one flush as one message, a pack: the JSON
 * text `{"events":[envelope, ...]}` (content type `text`, at most PACK_MAX_BYTES), so a busy isolate pays
 * one queue message per flush instead of one per event (Queues bills per message operation), and each
 * envelope is serialised exactly once. When some events of a pack fail a plugin, the consumer queues just
 * those again as a smaller pack carrying `prior_attempts`, so the others are not delivered twice.
 *
 * A message may also be one envelope as JSON: `POST /events/ingest` sends those, and so did earlier
 * versions of the bus; the consumer and the dead-letter recorder read both.
 */
import type { EventEnvelope } from './types';

/** Below the 128 KB Queues message limit, with room for the wrapper. */
export const PACK_MAX_BYTES = 100 * 1024;

/** The pack of already serialised envelopes (each `JSON.stringify(envelope)`). */
export function packText(serialised: readonly string[], priorAttempts = 0): string {
  const prior = priorAttempts > 0 ? `"prior_attempts":${priorAttempts},` : '';
  return `{${prior}"events":[${serialised.join(',')}]}`;
}

/** A pack of envelopes (serialises each once). */
export function packEnvelopes(envelopes: readonly EventEnvelope[], priorAttempts = 0): string {
  return packText(
    envelopes.map((envelope) => JSON.stringify(envelope)),
    priorAttempts,
  );
}

export interface Unpacked {
  /** The candidate envelopes of the message (each still to be validated). */
  items: unknown[];
  /** Whether the message was a pack (its events can be retried separately). */
  packed: boolean;
  /** Deliveries of these events made before this message (a requeued part of a pack). */
  priorAttempts: number;
}

function asPack(value: unknown): Unpacked | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { events, prior_attempts: prior } = value as { events?: unknown; prior_attempts?: unknown };
  if (!Array.isArray(events)) return null;
  const priorAttempts = typeof prior === 'number' && Number.isInteger(prior) && prior > 0 ? prior : 0;
  return { items: events, packed: true, priorAttempts };
}

/** What a message body holds: a pack (text or JSON), or one envelope; anything else is one bad item. */
export function unpackMessage(body: unknown): Unpacked {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { items: [body], packed: false, priorAttempts: 0 };
    }
  }
  return asPack(value) ?? { items: [value], packed: false, priorAttempts: 0 };
}
