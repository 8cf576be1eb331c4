/** PostgreSQL adapter for ScopeStore (table `scopes`, keyed by name). */
import { asc, eq } from 'drizzle-orm';
import { normalizePage, toPage } from '../paging';
import type { Page, PageRequest, ScopeRecord, ScopeStore } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { scopes } from './registry-schema';
import { affected, type PgRunner } from './runner';

const KEYSET: KeysetColumns = { createdAt: scopes.createdAt, id: scopes.name };

/** ScopeStore over PostgreSQL. */
export class PgScopeStore implements ScopeStore {
  constructor(private readonly run: PgRunner) {}

  async create(scope: ScopeRecord): Promise<void> {
    await this.run('scope', (db) => db.insert(scopes).values(scope));
  }

  async get(name: string): Promise<ScopeRecord | null> {
    const rows = await this.run(
      'scope',
      (db) => db.select().from(scopes).where(eq(scopes.name, name)).limit(1),
      [],
    );
    return rows[0] ?? null;
  }

  async update(scope: ScopeRecord): Promise<boolean> {
    const { description, advertise, updatedAt } = scope;
    const changed = await this.run(
      'scope',
      async (db) =>
        affected(
          await db
            .update(scopes)
            .set({ description, advertise, updatedAt })
            .where(eq(scopes.name, scope.name)),
        ),
      0,
    );
    return changed > 0;
  }

  async delete(name: string): Promise<boolean> {
    const changed = await this.run(
      'scope',
      async (db) => affected(await db.delete(scopes).where(eq(scopes.name, name))),
      0,
    );
    return changed > 0;
  }

  async list(page: PageRequest): Promise<Page<ScopeRecord>> {
    const { limit, offset, after } = normalizePage(page);
    const rows = await this.run(
      'scope',
      (db) =>
        db
          .select()
          .from(scopes)
          .where(afterCursor(KEYSET, after))
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (s) => ({ createdAt: s.createdAt, id: s.name }));
  }

  async all(limit: number): Promise<ScopeRecord[]> {
    return this.run('scope', (db) =>
      db
        .select()
        .from(scopes)
        .orderBy(asc(scopes.createdAt), asc(scopes.name))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
