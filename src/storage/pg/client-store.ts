/** PostgreSQL adapter for ClientStore (table `clients`). */
import { count, eq } from 'drizzle-orm';
import type { ClientFilter, ClientRecord, ClientStore, Page } from '../ports';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { clients } from './schema';
import { containsAny } from './search';

const PAGED = pagedTable('client', clients, 'createdAt', 'clientId');

/** ClientStore over PostgreSQL. */
export class PgClientStore implements ClientStore {
  constructor(private readonly run: PgRunner) {}

  async create(client: ClientRecord): Promise<void> {
    await this.run('client', (db) => db.insert(clients).values(client));
  }

  async get(clientId: string): Promise<ClientRecord | null> {
    return findOne(this.run, 'client', clients, eq(clients.clientId, clientId));
  }

  async update(client: ClientRecord): Promise<boolean> {
    const { clientId, ...fields } = client;
    const result = await this.run('client', (db) =>
      db.update(clients).set(fields).where(eq(clients.clientId, clientId)),
    );
    return affected(result) > 0;
  }

  async delete(clientId: string): Promise<boolean> {
    const changed = await this.run(
      'client',
      async (db) => affected(await db.delete(clients).where(eq(clients.clientId, clientId))),
      0,
    );
    return changed > 0;
  }

  async list(filter: ClientFilter): Promise<Page<ClientRecord>> {
    return listPage(this.run, PAGED, filter, containsAny([clients.clientId, clients.clientName], filter.q));
  }

  async count(): Promise<number> {
    const rows = await this.run('client', (db) => db.select({ n: count() }).from(clients));
    return rows[0]?.n ?? 0;
  }
}
