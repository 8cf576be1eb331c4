/** PostgreSQL adapter for DenylistStore (table `denylist`, unique per kind and value). */
import { eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { DenyEntry, DenylistFilter, DenylistStore, Page } from '../ports';
import { newestFirst } from './keyset';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { denylist } from './schema';

const PAGED = pagedTable('denylist entry', denylist, 'createdAt', 'id');

/** DenylistStore over PostgreSQL. */
export class PgDenylistStore implements DenylistStore {
  constructor(private readonly run: PgRunner) {}

  async add(entry: DenyEntry): Promise<void> {
    await this.run('denylist entry', (db) => db.insert(denylist).values(entry));
  }

  async get(id: string): Promise<DenyEntry | null> {
    return findOne(this.run, 'denylist entry', denylist, eq(denylist.id, id));
  }

  async delete(id: string): Promise<boolean> {
    const changed = await this.run(
      'denylist entry',
      async (db) => affected(await db.delete(denylist).where(eq(denylist.id, id))),
      0,
    );
    return changed > 0;
  }

  async list(filter: DenylistFilter): Promise<Page<DenyEntry>> {
    return listPage(
      this.run,
      PAGED,
      filter,
      filter.kind === undefined ? undefined : eq(denylist.kind, filter.kind),
    );
  }

  async listActive(now: number, limit: number): Promise<DenyEntry[]> {
    return this.run('denylist entry', (db) =>
      db
        .select()
        .from(denylist)
        .where(or(isNull(denylist.expiresAt), gt(denylist.expiresAt, now)))
        .orderBy(...newestFirst(PAGED.keyset))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.run('denylist entry', (db) =>
      db.delete(denylist).where(lte(denylist.expiresAt, now)),
    );
    return affected(result);
  }
}
