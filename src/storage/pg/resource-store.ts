/** PostgreSQL adapter for ResourceStore (table `resources`, unique identifier). */
import { asc, eq } from 'drizzle-orm';
import { normalizePage, toPage } from '../paging';
import type { Page, PageRequest, ResourceRecord, ResourceStore } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { resources } from './registry-schema';
import { affected, type PgRunner } from './runner';

const KEYSET: KeysetColumns = { createdAt: resources.createdAt, id: resources.id };

/** ResourceStore over PostgreSQL. */
export class PgResourceStore implements ResourceStore {
  constructor(private readonly run: PgRunner) {}

  async create(resource: ResourceRecord): Promise<void> {
    await this.run('resource', (db) => db.insert(resources).values(resource));
  }

  async get(id: string): Promise<ResourceRecord | null> {
    const rows = await this.run(
      'resource',
      (db) => db.select().from(resources).where(eq(resources.id, id)).limit(1),
      [],
    );
    return rows[0] ?? null;
  }

  async update(resource: ResourceRecord): Promise<boolean> {
    const { id, createdAt: _createdAt, ...fields } = resource;
    const changed = await this.run('resource', async (db) =>
      affected(await db.update(resources).set(fields).where(eq(resources.id, id))),
    );
    return changed > 0;
  }

  async delete(id: string): Promise<boolean> {
    const changed = await this.run(
      'resource',
      async (db) => affected(await db.delete(resources).where(eq(resources.id, id))),
      0,
    );
    return changed > 0;
  }

  async list(page: PageRequest): Promise<Page<ResourceRecord>> {
    const { limit, offset, after } = normalizePage(page);
    const rows = await this.run(
      'resource',
      (db) =>
        db
          .select()
          .from(resources)
          .where(afterCursor(KEYSET, after))
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (r) => ({ createdAt: r.createdAt, id: r.id }));
  }

  async all(limit: number): Promise<ResourceRecord[]> {
    return this.run('resource', (db) =>
      db
        .select()
        .from(resources)
        .orderBy(asc(resources.createdAt), asc(resources.id))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
