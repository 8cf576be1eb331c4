/** PostgreSQL adapter for ResourceStore (table `resources`, unique identifier). */
import { eq } from 'drizzle-orm';
import type { Page, PageRequest, ResourceRecord, ResourceStore } from '../ports';
import { oldestFirst } from './keyset';
import { listPage, pagedTable } from './paging';
import { resources } from './registry-schema';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';

const PAGED = pagedTable('resource', resources, 'createdAt', 'id');

/** ResourceStore over PostgreSQL. */
export class PgResourceStore implements ResourceStore {
  constructor(private readonly run: PgRunner) {}

  async create(resource: ResourceRecord): Promise<void> {
    await this.run('resource', (db) => db.insert(resources).values(resource));
  }

  async get(id: string): Promise<ResourceRecord | null> {
    return findOne(this.run, 'resource', resources, eq(resources.id, id));
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
    return listPage(this.run, PAGED, page);
  }

  async all(limit: number): Promise<ResourceRecord[]> {
    return this.run('resource', (db) =>
      db
        .select()
        .from(resources)
        .orderBy(...oldestFirst(PAGED.keyset))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
