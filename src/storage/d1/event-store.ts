/** D1 adapter for EventStore (table `events`): insert-or-ignore writes, newest-first keyset paging. */
import { asc, eq, inArray, lt } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { EventFilter, EventRecord, EventStore, Page } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { events } from './schema';

const PAGED = pagedTable('event', events, 'time', 'id');

/**
 * Inserts the events of one JSON array parameter, ignoring duplicates (id or idempotency key). The
 * `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
 */
const INSERT_FROM_JSON = `INSERT INTO events (id, type, time, severity, user_id, client_id, metadata, idempotency_key, traceparent)
SELECT value ->> '$.id', value ->> '$.type', value ->> '$.time', value ->> '$.severity', value ->> '$.userId',
  value ->> '$.clientId', value -> '$.metadata', value ->> '$.idempotencyKey', value ->> '$.traceparent'
FROM json_each(?1) WHERE true
ON CONFLICT DO NOTHING
RETURNING id`;

/** One JSON parameter stays far below D1's 2 MB value limit. */
const CHUNK_BYTES = 512 * 1024;

/** The records as JSON arrays of at most CHUNK_BYTES each (a record is far smaller than that). */
function jsonChunks(records: EventRecord[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let bytes = 0;
  for (const record of records) {
    const json = JSON.stringify(record);
    if (parts.length > 0 && bytes + json.length + 1 > CHUNK_BYTES) {
      chunks.push(`[${parts.join(',')}]`);
      parts = [];
      bytes = 0;
    }
    parts.push(json);
    bytes += json.length + 1;
  }
  chunks.push(`[${parts.join(',')}]`);
  return chunks;
}

/** EventStore over D1. */
export class D1EventStore implements EventStore {
  constructor(
    private readonly db: DrizzleD1Database,
    /** The binding itself: recordMany's statement is plain SQL. */
    private readonly client: D1Database,
  ) {}

  async record(event: EventRecord): Promise<boolean> {
    // No conflict target: a duplicate id and a duplicate idempotency key are both ignored.
    const result = await d1Call('event', () =>
      this.db.insert(events).values(event).onConflictDoNothing().run(),
    );
    return result.meta.changes > 0;
  }

  async recordMany(records: EventRecord[]): Promise<boolean[]> {
    if (records.length === 0) return [];
    // One statement per chunk (usually one), the rows as one JSON parameter: a queue batch costs one
    // round trip and one D1 query however many events it holds. RETURNING names the rows inserted; a
    // repeated id within the batch is new only once.
    const statements = jsonChunks(records).map((chunk) => this.client.prepare(INSERT_FROM_JSON).bind(chunk));
    const results = await d1Call('event', () => this.client.batch<{ id: string }>(statements));
    const fresh = new Set(results.flatMap((result) => result.results.map((row) => row.id)));
    return records.map((event) => fresh.delete(event.id));
  }

  async get(id: string): Promise<EventRecord | null> {
    return findOneBy(this.db, 'event', events, events.id, id);
  }

  async list(filter: EventFilter): Promise<Page<EventRecord>> {
    return listPage(
      this.db,
      PAGED,
      filter,
      filter.type === undefined ? undefined : eq(events.type, filter.type),
      filter.clientId === undefined ? undefined : eq(events.clientId, filter.clientId),
      filter.userId === undefined ? undefined : eq(events.userId, filter.userId),
    );
  }

  async deleteBefore(before: number, limit: number): Promise<number> {
    const oldest = this.db
      .select({ id: events.id })
      .from(events)
      .where(lt(events.time, before))
      .orderBy(asc(events.time))
      .limit(Math.max(1, Math.trunc(limit)));
    const result = await d1Call('event', () =>
      this.db.delete(events).where(inArray(events.id, oldest)).run(),
    );
    return result.meta.changes;
  }
}
