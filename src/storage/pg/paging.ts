/** The newest-first keyset page query every paged PostgreSQL list runs (cursor helpers: ../paging.ts). */
import { and, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { type CursorKey, normalizePage, toPage } from '../paging';
import type { Page, PageRequest } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import type { PgRunner } from './runner';

/** A table paged by (created_at DESC, id DESC): its columns, and the cursor key of one of its rows. */
export interface PagedTable<T extends PgTable> {
  /** Named in errors (PgRunner). */
  what: string;
  table: T;
  keyset: KeysetColumns;
  keyOf: (row: T['$inferSelect']) => CursorKey;
}

/** The names of `Row`'s fields that hold a `V`. */
type FieldOf<Row, V> = { [K in keyof Row]: Row[K] extends V ? K : never }[keyof Row];

/**
 * The PagedTable of `table`, keyed by its fields `createdAt` (a number) and `id` (a string): the same two
 * name its keyset columns and a row's cursor key.
 */
export function pagedTable<T extends PgTable>(
  what: string,
  table: T,
  createdAt: FieldOf<T['$inferSelect'], number> & keyof T,
  id: FieldOf<T['$inferSelect'], string> & keyof T,
): PagedTable<T> {
  return {
    what,
    table,
    keyset: { createdAt: table[createdAt] as PgColumn, id: table[id] as PgColumn },
    keyOf: (row) => ({ createdAt: row[createdAt] as number, id: row[id] as string }),
  };
}

/**
 * One page of `paged.table`: the rows matching every one of `filters` (undefined ones are left out),
 * newest first, after the request's cursor and offset; `limit + 1` rows are read to know whether more follow.
 * A filter value PostgreSQL cannot store matches no row: an empty page, as on D1.
 */
export async function listPage<T extends PgTable>(
  run: PgRunner,
  paged: PagedTable<T>,
  page: PageRequest,
  ...filters: (SQL | undefined)[]
): Promise<Page<T['$inferSelect']>> {
  const { limit, offset, after } = normalizePage(page);
  const where = and(...filters, afterCursor(paged.keyset, after));
  // `from` over a generic table: pg-core's subquery check cannot be resolved for T, hence the widening;
  // the rows are T's own select model.
  const rows: T['$inferSelect'][] = await run(
    paged.what,
    (db) =>
      db
        .select()
        .from(paged.table as PgTable)
        .where(where)
        .orderBy(...newestFirst(paged.keyset))
        .limit(limit + 1)
        .offset(offset),
    [],
  );
  return toPage(rows, limit, paged.keyOf);
}
