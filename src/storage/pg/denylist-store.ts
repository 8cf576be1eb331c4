/** PostgreSQL adapter for DenylistStore (table `denylist`, unique per kind and value). */
import { and, eq, gt, isNull, lte, or } from 'drizzle-orm';
import { normalizePage, toPage } from '../paging';
import type { DenyEntry, DenylistFilter, DenylistStore, Page } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { affected, type PgRunner } from './runner';
import { denylist } from './schema';

const KEYSET: KeysetColumns = { createdAt: denylist.createdAt, id: denylist.id };

/** DenylistStore over PostgreSQL. */
export class PgDenylistStore implements DenylistStore {
  constructor(private readonly run: PgRunner) {}

  async add(entry: DenyEntry): Promise<void> {
    await this.run('denylist entry', (db) => db.insert(denylist).values(entry));
  }

  async get(id: string): Promise<DenyEntry | null> {
    const rows = await this.run(
      'denylist entry',
      (db) => db.select().from(denylist).where(eq(denylist.id, id)).limit(1),
      [],
    );
    return rows[0] ?? null;
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
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      filter.kind === undefined ? undefined : eq(denylist.kind, filter.kind),
      afterCursor(KEYSET, after),
    );
    const rows = await this.run(
      'denylist entry',
      (db) =>
        db
          .select()
          .from(denylist)
          .where(where)
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (e) => ({ createdAt: e.createdAt, id: e.id }));
  }

  async listActive(now: number, limit: number): Promise<DenyEntry[]> {
    return this.run('denylist entry', (db) =>
      db
        .select()
        .from(denylist)
        .where(or(isNull(denylist.expiresAt), gt(denylist.expiresAt, now)))
        .orderBy(...newestFirst(KEYSET))
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
