/**
 * The storage plugin: every event into the recent-events store (idempotent by id and idempotency key, one
 * round trip per queue batch), revocations mirrored onto the admin view of grants, and old events deleted
 * after the retention period.
 */
import type { EventRecord, EventStore, GrantStore } from '../../storage/ports';
import type { EventEnvelope } from '../types';
import type { RecordingPlugin } from './types';

/** Retention sweeps run at most this often per isolate, deleting at most SWEEP_LIMIT rows each. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const SWEEP_LIMIT = 1000;
let lastSweepMs = 0;

export interface StoragePluginOptions {
  events: EventStore;
  grants: GrantStore;
  retentionDays: number;
  nowMs: () => number;
}

function toRecord(envelope: EventEnvelope): EventRecord {
  return {
    id: envelope.id,
    type: envelope.type,
    time: Math.floor(Date.parse(envelope.time) / 1000),
    severity: envelope.severity,
    userId: envelope.user_id,
    clientId: envelope.client_id,
    metadata: envelope.metadata,
    idempotencyKey: envelope.idempotency_key,
    traceparent: envelope.traceparent,
  };
}

/** Revocations this server published (ingested events never change state). */
function isOwnRevocation(envelope: EventEnvelope): boolean {
  return (
    envelope.type === 'token_revoked' &&
    typeof envelope.metadata.grant_id === 'string' &&
    envelope.metadata.source !== 'ingest'
  );
}

export function storagePlugin(options: StoragePluginOptions): RecordingPlugin & { sweep(): Promise<void> } {
  return {
    name: 'storage',
    async record(envelopes: EventEnvelope[]): Promise<boolean[]> {
      const records = envelopes.map(toRecord);
      const fresh = await options.events.recordMany(records);
      // The admin view of grants learns of revocations here (the TokenActor already enforces them);
      // markRevoked is idempotent, so a redelivery changes nothing.
      for (const [i, envelope] of envelopes.entries()) {
        if (isOwnRevocation(envelope)) {
          await options.grants.markRevoked(String(envelope.metadata.grant_id), records[i]?.time ?? 0);
        }
      }
      return fresh;
    },
    /** Deletes events older than the retention period (bounded work, at most hourly per isolate). */
    async sweep(): Promise<void> {
      const now = options.nowMs();
      if (now - lastSweepMs < SWEEP_INTERVAL_MS) return;
      lastSweepMs = now;
      const before = Math.floor(now / 1000) - options.retentionDays * 86_400;
      await options.events.deleteBefore(before, SWEEP_LIMIT);
    },
  };
}
