/** D1 adapter for GrantStore (table `grants`). */
import { and, asc, count, eq, getTableColumns, gt, gte, isNull, lt, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { DailyCount, GrantFilter, GrantRecord, GrantStore, Page } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { grants } from './schema';

const PAGED = pagedTable('grant', grants, 'createdAt', 'id');

type GrantColumn = keyof typeof grants.$inferInsert;
interface PreparedUpsert {
  run(values: Record<GrantColumn, unknown>): Promise<unknown>;
}

/** GrantStore over D1. */
export class D1GrantStore implements GrantStore {
  /** Every code exchange and refresh writes a grant: its statement is built once per database, not per call. */
  private upsertStatement: PreparedUpsert | undefined;

  constructor(private readonly db: DrizzleD1Database) {}

  /** Replaces every field except a revocation already recorded: revocation is final. */
  async upsert(grant: GrantRecord): Promise<void> {
    this.upsertStatement ??= this.prepareUpsert();
    const statement = this.upsertStatement;
    const values: Record<GrantColumn, unknown> = { ...grant, sid: grant.sid ?? null };
    await d1Call('grant', () => statement.run(values));
  }

  private prepareUpsert(): PreparedUpsert {
    const columns = Object.keys(getTableColumns(grants));
    const value = Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)]));
    return this.db
      .insert(grants)
      .values(value as unknown as typeof grants.$inferInsert)
      .onConflictDoUpdate({
        target: grants.id,
        set: {
          clientId: sql`excluded.client_id`,
          userId: sql`excluded.user_id`,
          grantType: sql`excluded.grant_type`,
          scope: sql`excluded.scope`,
          createdAt: sql`excluded.created_at`,
          expiresAt: sql`excluded.expires_at`,
          revokedAt: sql`coalesce(${grants.revokedAt}, excluded.revoked_at)`,
          sid: sql`excluded.sid`,
        },
      })
      .prepare();
  }

  async get(id: string): Promise<GrantRecord | null> {
    return findOneBy(this.db, 'grant', grants, grants.id, id);
  }

  async list(filter: GrantFilter): Promise<Page<GrantRecord>> {
    return listPage(
      this.db,
      PAGED,
      filter,
      filter.clientId === undefined ? undefined : eq(grants.clientId, filter.clientId),
      filter.userId === undefined ? undefined : eq(grants.userId, filter.userId),
      filter.sid === undefined ? undefined : eq(grants.sid, filter.sid),
      filter.activeAt === undefined
        ? undefined
        : and(isNull(grants.revokedAt), gt(grants.expiresAt, filter.activeAt)),
    );
  }

  async markRevoked(id: string, at: number): Promise<boolean> {
    const [, found] = await d1Call('grant', () =>
      this.db.batch([
        this.db
          .update(grants)
          .set({ revokedAt: at })
          .where(and(eq(grants.id, id), isNull(grants.revokedAt))),
        this.db.select({ id: grants.id }).from(grants).where(eq(grants.id, id)).limit(1),
      ]),
    );
    return found.length > 0;
  }

  async countActive(now: number): Promise<number> {
    const rows = await d1Call('grant', () =>
      this.db
        .select({ n: count() })
        .from(grants)
        .where(and(isNull(grants.revokedAt), gt(grants.expiresAt, now))),
    );
    return rows[0]?.n ?? 0;
  }

  async countCreatedByDay(from: number, to: number): Promise<DailyCount[]> {
    const day = sql<number>`${grants.createdAt} / 86400`;
    return d1Call('grant', () =>
      this.db
        .select({ day, count: count() })
        .from(grants)
        .where(and(gte(grants.createdAt, from), lt(grants.createdAt, to)))
        .groupBy(day)
        .orderBy(asc(day)),
    );
  }
}
