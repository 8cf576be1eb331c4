/** PostgreSQL adapter for ClientStore (table `clients`). */
import { and, count, eq } from 'drizzle-orm';
import { normalizePage, toPage } from '../paging';
import type { ClientFilter, ClientRecord, ClientStore, Page } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { affected, type PgRunner } from './runner';
import { clients } from './schema';
import { containsAny } from './search';

const KEYSET: KeysetColumns = { createdAt: clients.createdAt, id: clients.clientId };

/** ClientStore over PostgreSQL. */
export class PgClientStore implements ClientStore {
  constructor(private readonly run: PgRunner) {}

  async create(client: ClientRecord): Promise<void> {
    await this.run('client', (db) => db.insert(clients).values(client));
  }

  async get(clientId: string): Promise<ClientRecord | null> {
    const rows = await this.run(
      'client',
      (db) => db.select().from(clients).where(eq(clients.clientId, clientId)).limit(1),
      [],
    );
    return rows[0] ?? null;
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
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      containsAny([clients.clientId, clients.clientName], filter.q),
      afterCursor(KEYSET, after),
    );
    const rows = await this.run(
      'client',
      (db) =>
        db
          .select()
          .from(clients)
          .where(where)
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (c) => ({ createdAt: c.createdAt, id: c.clientId }));
  }

  async count(): Promise<number> {
    const rows = await this.run('client', (db) => db.select({ n: count() }).from(clients));
    return rows[0]?.n ?? 0;
  }
}
