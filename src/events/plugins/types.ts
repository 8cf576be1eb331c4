/** What the queue consumer needs from a plugin. */
import type { EventEnvelope } from '../types';

export type PluginName = 'storage' | 'webhook' | 'console' | 'backchannel_logout';

/** A destination for events. `deliver` throws to have the message retried (with backoff). */
export interface EventPlugin {
  readonly name: PluginName;
  deliver(envelope: EventEnvelope): Promise<void>;
}

/** The storage plugin also answers whether each event was new: duplicates skip the other plugins. */
export interface RecordingPlugin {
  readonly name: 'storage';
  /**
   * Records a batch in one round trip; for each envelope, true when it was recorded now, false when it had
   * been recorded before (same id or idempotency key, earlier or earlier in the batch).
   */
  record(envelopes: EventEnvelope[]): Promise<boolean[]>;
}
