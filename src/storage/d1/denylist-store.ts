/** D1 adapter for DenylistStore (table `denylist`, unique per kind and value). */
import { and, eq, gt, isNull, lte, or } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { DenyEntry, DenylistFilter, DenylistStore, Page } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { denylist } from './schema';

const KEYSET: KeysetColumns = { createdAt: denylist.createdAt, id: denylist.id };

/** DenylistStore over D1. */
export class D1DenylistStore implements DenylistStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async add(entry: DenyEntry): Promise<void> {
    await d1Call('denylist entry', () => this.db.insert(denylist).values(entry).run());
  }

  async get(id: string): Promise<DenyEntry | null> {
    const rows = await d1Call('denylist entry', () =>
      this.db.select().from(denylist).where(eq(denylist.id, id)).limit(1),
    );
    return rows[0] ?? null;
  }

  async delete(id: string): Promise<boolean> {
    const result = await d1Call('denylist entry', () =>
      this.db.delete(denylist).where(eq(denylist.id, id)).run(),
    );
    return result.meta.changes > 0;
  }

  async list(filter: DenylistFilter): Promise<Page<DenyEntry>> {
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      filter.kind === undefined ? undefined : eq(denylist.kind, filter.kind),
      afterCursor(KEYSET, after),
    );
    const rows = await d1Call('denylist entry', () =>
      this.db
        .select()
        .from(denylist)
        .where(where)
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (e) => ({ createdAt: e.createdAt, id: e.id }));
  }

  async listActive(now: number, limit: number): Promise<DenyEntry[]> {
    return d1Call('denylist entry', () =>
      this.db
        .select()
        .from(denylist)
        .where(or(isNull(denylist.expiresAt), gt(denylist.expiresAt, now)))
        .orderBy(...newestFirst(KEYSET))
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
