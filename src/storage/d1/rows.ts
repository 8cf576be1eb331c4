/** The one-row reads every D1 store makes by its key (or another unique condition). */
import { eq, type SQL, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { d1Call } from './errors';

/** The row of `table` matching `where`, or null; `what` is named in errors. */
export async function findOne<T extends SQLiteTable>(
  db: DrizzleD1Database,
  what: string,
  table: T,
  where: SQL | undefined,
): Promise<T['$inferSelect'] | null> {
  const rows: T['$inferSelect'][] = await d1Call(what, () => db.select().from(table).where(where).limit(1));
  return rows[0] ?? null;
}

interface PreparedLookup {
  all(values: { key: unknown }): Promise<unknown[]>;
}

/** Lookups prepared once per database and column: building a query's SQL costs more CPU than running it. */
const preparedLookups = new WeakMap<DrizzleD1Database, Map<SQLiteColumn, PreparedLookup>>();

function preparedLookup(db: DrizzleD1Database, table: SQLiteTable, column: SQLiteColumn): PreparedLookup {
  let byColumn = preparedLookups.get(db);
  if (byColumn === undefined) {
    byColumn = new Map();
    preparedLookups.set(db, byColumn);
  }
  let lookup = byColumn.get(column);
  if (lookup === undefined) {
    lookup = db
      .select()
      .from(table)
      .where(eq(column, sql.placeholder('key')))
      .limit(1)
      .prepare();
    byColumn.set(column, lookup);
  }
  return lookup;
}

/**
 * The row of `table` whose `column` (a unique one) equals `value`, or null; the hot reads (a client, a
 * user, a grant by id) take this path. The statement is prepared on first use and reused.
 */
export async function findOneBy<T extends SQLiteTable>(
  db: DrizzleD1Database,
  what: string,
  table: T,
  column: SQLiteColumn,
  value: string,
): Promise<T['$inferSelect'] | null> {
  const rows = (await d1Call(what, () =>
    preparedLookup(db, table, column).all({ key: value }),
  )) as T['$inferSelect'][];
  return rows[0] ?? null;
}
