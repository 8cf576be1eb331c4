/** D1 adapter for DenylistStore (table `denylist`, unique per kind and value). */
import { eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { DenyEntry, DenylistFilter, DenylistStore, Page } from '../ports';
import { d1Call } from './errors';
import { newestFirst } from './keyset';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { denylist } from './schema';

const PAGED = pagedTable('denylist entry', denylist, 'createdAt', 'id');

/** DenylistStore over D1. */
export class D1DenylistStore implements DenylistStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async add(entry: DenyEntry): Promise<void> {
    await d1Call('denylist entry', () => this.db.insert(denylist).values(entry).run());
  }

  async get(id: string): Promise<DenyEntry | null> {
    return findOneBy(this.db, 'denylist entry', denylist, denylist.id, id);
  }

  async delete(id: string): Promise<boolean> {
    const result = await d1Call('denylist entry', () =>
      this.db.delete(denylist).where(eq(denylist.id, id)).run(),
    );
    return result.meta.changes > 0;
  }

  async list(filter: DenylistFilter): Promise<Page<DenyEntry>> {
    return listPage(
      this.db,
      PAGED,
      filter,
      filter.kind === undefined ? undefined : eq(denylist.kind, filter.kind),
    );
  }

  async listActive(now: number, limit: number): Promise<DenyEntry[]> {
    return d1Call('denylist entry', () =>
      this.db
        .select()
        .from(denylist)
        .where(or(isNull(denylist.expiresAt), gt(denylist.expiresAt, now)))
        .orderBy(...newestFirst(PAGED.keyset))
        .limit(Math.max(0, Math.trunc(limit))),
    );
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await d1Call('denylist entry', () =>
      this.db.delete(denylist).where(lte(denylist.expiresAt, now)).run(),
    );
    return result.meta.changes;
  }
}
