/** Substring search in drizzle pg-core: `ILIKE '%q%'` with the wildcards of `q` escaped. */
import { or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** `%`, `_` and the escape character itself match literally. */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Rows where any of `columns` contains `q` (case-insensitive); undefined when `q` is absent or empty. */
export function containsAny(columns: PgColumn[], q: string | undefined): SQL | undefined {
  if (q === undefined || q === '') return undefined;
  const pattern = likePattern(q);
  return or(...columns.map((column) => sql`${column} ILIKE ${pattern} ESCAPE '\\'`));
}
