/** The newest-first keyset page query every paged D1 list runs (cursor helpers: ../paging.ts). */
import { and, type SQL } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { type CursorKey, normalizePage, toPage } from '../paging';
import type { Page, PageRequest } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';

/** A table paged by (created_at DESC, id DESC): its columns, and the cursor key of one of its rows. */
export interface PagedTable<T extends SQLiteTable> {
  /** Named in errors (`d1Call`). */
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
export function pagedTable<T extends SQLiteTable>(
  what: string,
  table: T,
  createdAt: FieldOf<T['$inferSelect'], number> & keyof T,
  id: FieldOf<T['$inferSelect'], string> & keyof T,
): PagedTable<T> {
  return {
    what,
    table,
    keyset: { createdAt: table[createdAt] as SQLiteColumn, id: table[id] as SQLiteColumn },
    keyOf: (row) => ({ createdAt: row[createdAt] as number, id: row[id] as string }),
  };
}

/**
 * One page of `paged.table`: the rows matching every one of `filters` (undefined ones are left out),
 * newest first, after the request's cursor and offset; `limit + 1` rows are read to know whether more follow.
 */
export async function listPage<T extends SQLiteTable>(
  db: DrizzleD1Database,
  paged: PagedTable<T>,
  page: PageRequest,
  ...filters: (SQL | undefined)[]
): Promise<Page<T['$inferSelect']>> {
  const { limit, offset, after } = normalizePage(page);
  const where = and(...filters, afterCursor(paged.keyset, after));
  const rows: T['$inferSelect'][] = await d1Call(paged.what, () =>
    db
      .select()
      .from(paged.table)
      .where(where)
      .orderBy(...newestFirst(paged.keyset))
      .limit(limit + 1)
      .offset(offset),
  );
  return toPage(rows, limit, paged.keyOf);
}
