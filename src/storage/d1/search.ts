/** Substring search in drizzle SQLite: `LIKE '%q%'` with the wildcards of `q` escaped (ASCII case-insensitive). */
import { or, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/** `%`, `_` and the escape character itself match literally. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows where any of `columns` contains `q`; undefined (no condition) when `q` is absent or empty. */
export function containsAny(columns: SQLiteColumn[], q: string | undefined): SQL | undefined {
  if (q === undefined || q === '') return undefined;
  const pattern = likePattern(q);
  return or(...columns.map((column) => sql`${column} LIKE ${pattern} ESCAPE '\\'`));
}
