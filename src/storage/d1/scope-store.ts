/** D1 adapter for ScopeStore (table `scopes`, keyed by name). */
import { eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { Page, PageRequest, ScopeRecord, ScopeStore } from '../ports';
import { d1Call } from './errors';
import { oldestFirst } from './keyset';
import { listPage, pagedTable } from './paging';
import { scopes } from './registry-schema';
import { findOneBy } from './rows';

const PAGED = pagedTable('scope', scopes, 'createdAt', 'name');

/** ScopeStore over D1. */
export class D1ScopeStore implements ScopeStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(scope: ScopeRecord): Promise<void> {
    await d1Call('scope', () => this.db.insert(scopes).values(scope).run());
  }

  async get(name: string): Promise<ScopeRecord | null> {
    return findOneBy(this.db, 'scope', scopes, scopes.name, name);
  }

  async update(scope: ScopeRecord): Promise<boolean> {
    const { description, advertise, updatedAt } = scope;
    const result = await d1Call('scope', () =>
      this.db
        .update(scopes)
        .set({ description, advertise, updatedAt })
        .where(eq(scopes.name, scope.name))
        .run(),
    );
    return result.meta.changes > 0;
  }

  async delete(name: string): Promise<boolean> {
    const result = await d1Call('scope', () => this.db.delete(scopes).where(eq(scopes.name, name)).run());
    return result.meta.changes > 0;
  }

  async list(page: PageRequest): Promise<Page<ScopeRecord>> {
    return listPage(this.db, PAGED, page);
  }

  async all(limit: number): Promise<ScopeRecord[]> {
    return d1Call('scope', () =>
      this.db
        .select()
        .from(scopes)
        .orderBy(...oldestFirst(PAGED.keyset))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
