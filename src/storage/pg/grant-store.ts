/** PostgreSQL adapter for GrantStore (table `grants`). */
import { and, asc, count, eq, gt, gte, isNull, lt, sql } from 'drizzle-orm';
import type { DailyCount, GrantFilter, GrantRecord, GrantStore, Page } from '../ports';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import type { PgRunner } from './runner';
import { grants } from './schema';

const PAGED = pagedTable('grant', grants, 'createdAt', 'id');

/** GrantStore over PostgreSQL. */
export class PgGrantStore implements GrantStore {
  constructor(private readonly run: PgRunner) {}

  /** Replaces every field except a revocation already recorded: revocation is final. */
  async upsert(grant: GrantRecord): Promise<void> {
    await this.run('grant', (db) =>
      db
        .insert(grants)
        .values({ ...grant, sid: grant.sid ?? null })
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
        }),
    );
  }

  async get(id: string): Promise<GrantRecord | null> {
    return findOne(this.run, 'grant', grants, eq(grants.id, id));
  }

  async list(filter: GrantFilter): Promise<Page<GrantRecord>> {
    return listPage(
      this.run,
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

  /**
   * One statement (atomic without a transaction): the first revocation time wins, and the row comes
   * back whether or not it was already revoked, which is what "exists" means here.
   */
  async markRevoked(id: string, at: number): Promise<boolean> {
    const rows = await this.run(
      'grant',
      (db) =>
        db
          .update(grants)
          .set({ revokedAt: sql`coalesce(${grants.revokedAt}, ${at})` })
          .where(eq(grants.id, id))
          .returning({ id: grants.id }),
      [],
    );
    return rows.length > 0;
  }

  async countActive(now: number): Promise<number> {
    const rows = await this.run('grant', (db) =>
      db
        .select({ n: count() })
        .from(grants)
        .where(and(isNull(grants.revokedAt), gt(grants.expiresAt, now))),
    );
    return rows[0]?.n ?? 0;
  }

  async countCreatedByDay(from: number, to: number): Promise<DailyCount[]> {
    // int8 division truncates, which is floor for the non-negative epoch seconds stored here.
    const day = sql<number>`${grants.createdAt} / 86400`.mapWith(Number);
    return this.run('grant', (db) =>
      db
        .select({ day, count: count() })
        .from(grants)
        .where(and(gte(grants.createdAt, from), lt(grants.createdAt, to)))
        .groupBy(day)
        .orderBy(asc(day)),
    );
  }
}
