/** D1 adapter for SessionStore (table `sessions`, joined with `users` on read). */
import { and, eq, gt, lte } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SessionRecord, SessionStore, SessionWithUser } from '../ports';
import { d1Call } from './errors';
import { sessions, users } from './schema';

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
