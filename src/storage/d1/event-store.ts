/** D1 adapter for EventStore (table `events`): insert-or-ignore writes, newest-first keyset paging. */
import { and, asc, eq, inArray, lt } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { EventFilter, EventRecord, EventStore, Page } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { events } from './schema';

const KEYSET: KeysetColumns = { createdAt: events.time, id: events.id };

/** EventStore over D1. */
export class D1EventStore implements EventStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async record(event: EventRecord): Promise<boolean> {
    // No conflict target: a duplicate id and a duplicate idempotency key are both ignored.
    const result = await d1Call('event', () =>
      this.db.insert(events).values(event).onConflictDoNothing().run(),
    );
    return result.meta.changes > 0;
  }

  async recordMany(records: EventRecord[]): Promise<boolean[]> {
    const [first, ...rest] = records.map((event) =>
      this.db.insert(events).values(event).onConflictDoNothing(),
    );
    if (first === undefined) return [];
    // One round trip; D1 runs a batch as one transaction, statements in order.
    const results = await d1Call('event', () => this.db.batch([first, ...rest]));
    return results.map((result) => result.meta.changes > 0);
  }

  async get(id: string): Promise<EventRecord | null> {
    const rows = await d1Call('event', () => this.db.select().from(events).where(eq(events.id, id)).limit(1));
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
    const rows = await d1Call('event', () =>
      this.db
        .select()
        .from(events)
        .where(where)
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (e) => ({ createdAt: e.time, id: e.id }));
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
