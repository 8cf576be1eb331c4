/** D1 adapter for ResourceStore (table `resources`, unique identifier). */
import { asc, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { Page, PageRequest, ResourceRecord, ResourceStore } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { resources } from './registry-schema';

const KEYSET: KeysetColumns = { createdAt: resources.createdAt, id: resources.id };

/** ResourceStore over D1. */
export class D1ResourceStore implements ResourceStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(resource: ResourceRecord): Promise<void> {
    await d1Call('resource', () => this.db.insert(resources).values(resource).run());
  }

  async get(id: string): Promise<ResourceRecord | null> {
    const rows = await d1Call('resource', () =>
      this.db.select().from(resources).where(eq(resources.id, id)).limit(1),
    );
    return rows[0] ?? null;
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
    const { limit, offset, after } = normalizePage(page);
    const rows = await d1Call('resource', () =>
      this.db
        .select()
        .from(resources)
        .where(afterCursor(KEYSET, after))
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (r) => ({ createdAt: r.createdAt, id: r.id }));
  }

  async all(limit: number): Promise<ResourceRecord[]> {
    return d1Call('resource', () =>
      this.db
        .select()
        .from(resources)
        .orderBy(asc(resources.createdAt), asc(resources.id))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
