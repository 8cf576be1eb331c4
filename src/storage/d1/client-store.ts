/** D1 adapter for ClientStore (table `clients`). */
import { and, count, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { ClientFilter, ClientRecord, ClientStore, Page } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { clients } from './schema';
import { containsAny } from './search';

const KEYSET: KeysetColumns = { createdAt: clients.createdAt, id: clients.clientId };

/** ClientStore over D1. */
export class D1ClientStore implements ClientStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(client: ClientRecord): Promise<void> {
    await d1Call('client', () => this.db.insert(clients).values(client).run());
  }

  async get(clientId: string): Promise<ClientRecord | null> {
    const rows = await d1Call('client', () =>
      this.db.select().from(clients).where(eq(clients.clientId, clientId)).limit(1),
    );
    return rows[0] ?? null;
  }

  async update(client: ClientRecord): Promise<boolean> {
    const { clientId, ...fields } = client;
    const result = await d1Call('client', () =>
      this.db.update(clients).set(fields).where(eq(clients.clientId, clientId)).run(),
    );
    return result.meta.changes > 0;
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await d1Call('client', () =>
      this.db.delete(clients).where(eq(clients.clientId, clientId)).run(),
    );
    return result.meta.changes > 0;
  }

  async list(filter: ClientFilter): Promise<Page<ClientRecord>> {
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      containsAny([clients.clientId, clients.clientName], filter.q),
      afterCursor(KEYSET, after),
    );
    const rows = await d1Call('client', () =>
      this.db
        .select()
        .from(clients)
        .where(where)
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (c) => ({ createdAt: c.createdAt, id: c.clientId }));
  }

  async count(): Promise<number> {
    const rows = await d1Call('client', () => this.db.select({ n: count() }).from(clients));
    return rows[0]?.n ?? 0;
  }
}
