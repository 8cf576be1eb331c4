/** The one-row read every D1 store makes by its key (or another unique condition). */
import type { SQL } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
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
