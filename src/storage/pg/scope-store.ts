/** PostgreSQL adapter for ScopeStore (table `scopes`, keyed by name). */
import { eq } from 'drizzle-orm';
import type { Page, PageRequest, ScopeRecord, ScopeStore } from '../ports';
import { oldestFirst } from './keyset';
import { listPage, pagedTable } from './paging';
import { scopes } from './registry-schema';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';

const PAGED = pagedTable('scope', scopes, 'createdAt', 'name');

/** ScopeStore over PostgreSQL. */
export class PgScopeStore implements ScopeStore {
  constructor(private readonly run: PgRunner) {}

  async create(scope: ScopeRecord): Promise<void> {
    await this.run('scope', (db) => db.insert(scopes).values(scope));
  }

  async get(name: string): Promise<ScopeRecord | null> {
    return findOne(this.run, 'scope', scopes, eq(scopes.name, name));
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
    return listPage(this.run, PAGED, page);
  }

  async all(limit: number): Promise<ScopeRecord[]> {
    return this.run('scope', (db) =>
      db
        .select()
        .from(scopes)
        .orderBy(...oldestFirst(PAGED.keyset))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }
}
