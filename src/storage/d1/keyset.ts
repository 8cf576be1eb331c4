/** Newest-first keyset paging in drizzle SQLite: (created_at DESC, id DESC) after a cursor. */
import { and, asc, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { CursorKey } from '../paging';

/** The two columns a table is paged by. */
export interface KeysetColumns {
  createdAt: SQLiteColumn;
  id: SQLiteColumn;
}

/** Rows strictly after `after` in newest-first order; undefined (no condition) without a cursor. */
export function afterCursor(columns: KeysetColumns, after: CursorKey | null): SQL | undefined {
  if (after === null) return undefined;
  return or(
    lt(columns.createdAt, after.createdAt),
    and(eq(columns.createdAt, after.createdAt), lt(columns.id, after.id)),
  );
}

/** ORDER BY created_at DESC, id DESC. */
export function newestFirst(columns: KeysetColumns): SQL[] {
  return [desc(columns.createdAt), desc(columns.id)];
}

/** ORDER BY created_at ASC, id ASC: the reverse of newestFirst. */
export function oldestFirst(columns: KeysetColumns): SQL[] {
  return [asc(columns.createdAt), asc(columns.id)];
}
