/** D1 adapter for ScopeStore (table `scopes`, keyed by name). */
import { asc, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { Page, PageRequest, ScopeRecord, ScopeStore } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { scopes } from './registry-schema';

const KEYSET: KeysetColumns = { createdAt: scopes.createdAt, id: scopes.name };

/** ScopeStore over D1. */
export class D1ScopeStore implements ScopeStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(scope: ScopeRecord): Promise<void> {
    await d1Call('scope', () => this.db.insert(scopes).values(scope).run());
  }

  async get(name: string): Promise<ScopeRecord | null> {
    const rows = await d1Call('scope', () =>
      this.db.select().from(scopes).where(eq(scopes.name, name)).limit(1),
    );
    return rows[0] ?? null;
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
    const { limit, offset, after } = normalizePage(page);
    const rows = await d1Call('scope', () =>
      this.db
        .select()
        .from(scopes)
        .where(afterCursor(KEYSET, after))
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (s) => ({ createdAt: s.createdAt, id: s.name }));
  }

  async all(limit: number): Promise<ScopeRecord[]> {
    return d1Call('scope', () =>
      this.db
        .select()
        .from(scopes)
        .orderBy(asc(scopes.createdAt), asc(scopes.name))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
