/** D1 adapter for ClientStore (table `clients`). */
import { count, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { ClientFilter, ClientRecord, ClientStore, Page } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { clients } from './schema';
import { containsAny } from './search';

const PAGED = pagedTable('client', clients, 'createdAt', 'clientId');

/** ClientStore over D1. */
export class D1ClientStore implements ClientStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(client: ClientRecord): Promise<void> {
    await d1Call('client', () => this.db.insert(clients).values(client).run());
  }

  async get(clientId: string): Promise<ClientRecord | null> {
    return findOneBy(this.db, 'client', clients, clients.clientId, clientId);
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
    return listPage(this.db, PAGED, filter, containsAny([clients.clientId, clients.clientName], filter.q));
  }

  async count(): Promise<number> {
    const rows = await d1Call('client', () => this.db.select({ n: count() }).from(clients));
    return rows[0]?.n ?? 0;
  }
}
