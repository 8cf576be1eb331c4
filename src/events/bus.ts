/**
 * The publishing side of the event bus, one per isolate. `publish` is synchronous and cheap: it counts
 * the event's metrics, applies the filter and appends the envelope to a buffer. The Worker flushes the
 * buffer after the response (`ctx.waitUntil`), so concurrent requests of an isolate share one queue
 * message (a pack of envelopes, src/events/pack.ts).
 * Nothing here throws to the caller: failures are counted and logged.
 */
import type { MetricsRegistry } from '../observability/metrics';
import { type EventFilterConfig, eventAllowed } from './config';
import { buildEnvelope } from './envelope';
import { PACK_MAX_BYTES, packText } from './pack';
import type { DomainEvent, EventEnvelope } from './types';

/** Where envelopes go: the Queue producer binding (`env.EVENTS`). */
export interface EventSink {
  send(body: string, options: QueueSendOptions): Promise<unknown>;
}

/** Envelopes per pack: the consumer records a pack's events in one storage statement. */
const MAX_PACK_EVENTS = 200;
/** The pack's wrapper (`{"prior_attempts":N,"events":[...]}`). */
const PACK_OVERHEAD_BYTES = 64;
/** Without a flush (no request completing) the buffer keeps at most this many events; older ones are dropped. */
const MAX_BUFFERED = 1000;

/** The metrics every event implies, counted whether or not the event itself is published. */
function countEvent(metrics: MetricsRegistry, event: DomainEvent): void {
  const metadata = event.metadata ?? {};
  switch (event.type) {
    case 'token_created':
      metrics.inc('oauth_token_issued_total', { grant_type: String(metadata.grant_type ?? 'unknown') });
      break;
    case 'token_revoked':
      metrics.inc('oauth_token_revoked_total', { reason: String(metadata.reason ?? 'unknown') });
      break;
    case 'authorization_code_created':
      metrics.inc('oauth_authorization_codes_issued');
      break;
    case 'user_authentication_failed':
      metrics.inc('oauth_failed_authentications', { kind: 'user' });
      break;
    default:
      break;
  }
}

export class EventBus {
  #buffer: EventEnvelope[] = [];

  constructor(
    private readonly filter: EventFilterConfig,
    private readonly sink: EventSink | undefined,
    private readonly metrics: MetricsRegistry,
    private readonly nowMs: () => number,
    private readonly logError: (line: string) => void = console.error,
  ) {}

  /** Counts, filters and buffers one event. Never throws. */
  publish(event: DomainEvent, traceparent: string | null): void {
    try {
      countEvent(this.metrics, event);
      if (this.sink === undefined || !eventAllowed(this.filter, event.type)) return;
      if (this.#buffer.length >= MAX_BUFFERED) {
        this.#buffer.shift();
        this.metrics.inc('events_publish_errors_total');
      }
      this.#buffer.push(buildEnvelope(event, this.nowMs(), traceparent));
    } catch {
      this.metrics.inc('errors_total', { kind: 'event_publish' });
    }
  }

  /** Envelopes waiting for a flush. */
  get pending(): number {
    return this.#buffer.length;
  }

  /**
   * Hands every buffered envelope to the queue: one message per pack (src/events/pack.ts), normally one
   * per flush. Never rejects: failures are counted and logged.
   */
  async flush(): Promise<void> {
    while (this.#buffer.length > 0) {
      const { text, envelopes } = this.#takePack();
      const started = this.nowMs();
      try {
        await this.sink?.send(text, { contentType: 'text' });
        for (const envelope of envelopes) this.metrics.inc('events_published_total', { type: envelope.type });
      } catch (error) {
        this.metrics.inc('events_publish_errors_total', undefined, envelopes.length);
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
        this.logError(
          JSON.stringify({
            level: 'error',
            msg: 'events lost: queue send failed',
            count: envelopes.length,
            error: reason,
          }),
        );
      } finally {
        this.metrics.observe('events_publish_duration_seconds', undefined, (this.nowMs() - started) / 1000);
      }
    }
  }

  /** The oldest envelopes that fit one pack (at least one: an envelope is far below the limit). */
  #takePack(): { text: string; envelopes: EventEnvelope[] } {
    const serialised: string[] = [];
    const limit = Math.min(this.#buffer.length, MAX_PACK_EVENTS);
    let bytes = 0;
    let taken = 0;
    while (taken < limit) {
      const json = JSON.stringify(this.#buffer[taken]);
      if (taken > 0 && bytes + json.length + 1 > PACK_MAX_BYTES - PACK_OVERHEAD_BYTES) break;
      serialised.push(json);
      bytes += json.length + 1;
      taken += 1;
    }
    // One splice for the whole pack: shifting envelope by envelope would move the rest of the buffer each time.
    const envelopes = this.#buffer.splice(0, taken);
    return { text: packText(serialised), envelopes };
  }
}
