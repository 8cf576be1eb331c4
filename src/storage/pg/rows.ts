/** The one-row read every PostgreSQL store makes by its key (or another unique condition). */
import type { SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { PgRunner } from './runner';

/**
 * The row of `table` matching `where`, or null; `what` is named in errors. A value PostgreSQL cannot
 * store matches no row: null, as on D1.
 */
export async function findOne<T extends PgTable>(
  run: PgRunner,
  what: string,
  table: T,
  where: SQL | undefined,
): Promise<T['$inferSelect'] | null> {
  // `from` over a generic table: pg-core's subquery check cannot be resolved for T, hence the widening.
  const rows: T['$inferSelect'][] = await run(
    what,
    (db) =>
      db
        .select()
        .from(table as PgTable)
        .where(where)
        .limit(1),
    [],
  );
  return rows[0] ?? null;
}
