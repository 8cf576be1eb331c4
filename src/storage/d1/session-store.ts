/** D1 adapter for SessionStore (table `sessions`, joined with `users` on read). */
import { and, desc, eq, gt, lte } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SessionRecord, SessionStore, SessionWithUser } from '../ports';
import { d1Call } from './errors';
import { sessions, users } from './schema';

/** `sidsByUser` answers at most this many. */
const MAX_SIDS = 1000;

/** SessionStore over D1. */
export class D1SessionStore implements SessionStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(session: SessionRecord): Promise<void> {
    await d1Call('session', () => this.db.insert(sessions).values(session).run());
  }

  async get(idHash: string, now: number): Promise<SessionWithUser | null> {
    const rows = await d1Call('session', () =>
      this.db
        .select({ session: sessions, user: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now)))
        .limit(1),
    );
    return rows[0] ?? null;
  }

  async delete(idHash: string): Promise<boolean> {
    const result = await d1Call('session', () =>
      this.db.delete(sessions).where(eq(sessions.idHash, idHash)).run(),
    );
    return result.meta.changes > 0;
  }

  async sidsByUser(userId: string, now: number): Promise<string[]> {
    const rows = await d1Call('session', () =>
      this.db
        .select({ sid: sessions.sid })
        .from(sessions)
        .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
        .orderBy(desc(sessions.createdAt))
        .limit(MAX_SIDS),
    );
    return rows.map((row) => row.sid);
  }

  async deleteByUser(userId: string): Promise<number> {
    const result = await d1Call('session', () =>
      this.db.delete(sessions).where(eq(sessions.userId, userId)).run(),
    );
    return result.meta.changes;
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await d1Call('session', () =>
      this.db.delete(sessions).where(lte(sessions.expiresAt, now)).run(),
    );
    return result.meta.changes;
  }
}
