/** PostgreSQL adapter for EventStore (table `events`): insert-or-ignore writes, newest-first keyset paging. */
import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import { normalizePage, toPage } from '../paging';
import type { EventFilter, EventRecord, EventStore, Page } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { affected, type PgRunner } from './runner';
import { events } from './schema';

const KEYSET: KeysetColumns = { createdAt: events.time, id: events.id };
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
    const rows = await this.run(
      'event',
      (db) => db.select().from(events).where(eq(events.id, id)).limit(1),
      [],
    );
    return rows[0] ?? null;
  }

  async list(filter: EventFilter): Promise<Page<EventRecord>> {
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      filter.type === undefined ? undefined : eq(events.type, filter.type),
      filter.clientId === undefined ? undefined : eq(events.clientId, filter.clientId),
      filter.userId === undefined ? undefined : eq(events.userId, filter.userId),
      afterCursor(KEYSET, after),
    );
    const rows = await this.run(
      'event',
      (db) =>
        db
          .select()
          .from(events)
          .where(where)
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (e) => ({ createdAt: e.time, id: e.id }));
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
