/** D1 adapter for ResourceStore (table `resources`, unique identifier). */
import { eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { Page, PageRequest, ResourceRecord, ResourceStore } from '../ports';
import { d1Call } from './errors';
import { oldestFirst } from './keyset';
import { listPage, pagedTable } from './paging';
import { resources } from './registry-schema';
import { findOneBy } from './rows';

const PAGED = pagedTable('resource', resources, 'createdAt', 'id');

/** ResourceStore over D1. */
export class D1ResourceStore implements ResourceStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(resource: ResourceRecord): Promise<void> {
    await d1Call('resource', () => this.db.insert(resources).values(resource).run());
  }

  async get(id: string): Promise<ResourceRecord | null> {
    return findOneBy(this.db, 'resource', resources, resources.id, id);
  }

  async update(resource: ResourceRecord): Promise<boolean> {
    const { id, createdAt: _createdAt, ...fields } = resource;
    const result = await d1Call('resource', () =>
      this.db.update(resources).set(fields).where(eq(resources.id, id)).run(),
    );
    return result.meta.changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await d1Call('resource', () =>
      this.db.delete(resources).where(eq(resources.id, id)).run(),
    );
    return result.meta.changes > 0;
  }

  async list(page: PageRequest): Promise<Page<ResourceRecord>> {
    return listPage(this.db, PAGED, page);
  }

  async all(limit: number): Promise<ResourceRecord[]> {
    return d1Call('resource', () =>
      this.db
        .select()
        .from(resources)
        .orderBy(...oldestFirst(PAGED.keyset))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
