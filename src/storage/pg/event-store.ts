/** PostgreSQL adapter for EventStore (table `events`): insert-or-ignore writes, newest-first keyset paging. */
import { asc, eq, inArray, lt } from 'drizzle-orm';
import type { EventFilter, EventRecord, EventStore, Page } from '../ports';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { events } from './schema';

const PAGED = pagedTable('event', events, 'time', 'id');
/** Rows per INSERT of recordMany. */
const CHUNK_ROWS = 1000;

/** EventStore over PostgreSQL. */
export class PgEventStore implements EventStore {
  constructor(private readonly run: PgRunner) {}

  async record(event: EventRecord): Promise<boolean> {
    // No conflict target: a duplicate id and a duplicate idempotency key are both ignored.
    const result = await this.run('event', (db) => db.insert(events).values(event).onConflictDoNothing());
    return affected(result) > 0;
  }

  async recordMany(records: EventRecord[]): Promise<boolean[]> {
    if (records.length === 0) return [];
    // One statement per CHUNK_ROWS rows (Postgres takes at most 65,535 parameters, 9 per row); RETURNING
    // names the rows inserted. A repeated id within the batch is new only once. A retry after a failed
    // later chunk finds the earlier chunks' rows already there (duplicates, as on any redelivery).
    const fresh = new Set<string>();
    for (let start = 0; start < records.length; start += CHUNK_ROWS) {
      const chunk = records.slice(start, start + CHUNK_ROWS);
      const inserted = await this.run('event', (db) =>
        db.insert(events).values(chunk).onConflictDoNothing().returning({ id: events.id }),
      );
      for (const row of inserted) fresh.add(row.id);
    }
    return records.map((event) => fresh.delete(event.id));
  }

  async get(id: string): Promise<EventRecord | null> {
    return findOne(this.run, 'event', events, eq(events.id, id));
  }

  async list(filter: EventFilter): Promise<Page<EventRecord>> {
    return listPage(
      this.run,
      PAGED,
      filter,
      filter.type === undefined ? undefined : eq(events.type, filter.type),
      filter.clientId === undefined ? undefined : eq(events.clientId, filter.clientId),
      filter.userId === undefined ? undefined : eq(events.userId, filter.userId),
    );
  }

  /** One statement: the oldest `limit` rows before `before` are chosen and deleted together. */
  async deleteBefore(before: number, limit: number): Promise<number> {
    const result = await this.run('event', (db) => {
      const oldest = db
        .select({ id: events.id })
        .from(events)
        .where(lt(events.time, before))
        .orderBy(asc(events.time))
        .limit(Math.max(1, Math.trunc(limit)));
      return db.delete(events).where(inArray(events.id, oldest));
    });
    return affected(result);
  }
}
