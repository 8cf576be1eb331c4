/** PostgreSQL adapter for SessionStore (table `sessions`, joined with `users` on read). */
import { and, eq, gt, lte } from 'drizzle-orm';
import type { SessionRecord, SessionStore, SessionWithUser } from '../ports';
import { affected, type PgRunner } from './runner';
import { sessions, users } from './schema';

/** SessionStore over PostgreSQL. */
export class PgSessionStore implements SessionStore {
  constructor(private readonly run: PgRunner) {}

  async create(session: SessionRecord): Promise<void> {
    await this.run('session', (db) => db.insert(sessions).values(session));
  }

  async get(idHash: string, now: number): Promise<SessionWithUser | null> {
    const rows = await this.run(
      'session',
      (db) =>
        db
          .select({ session: sessions, user: users })
          .from(sessions)
          .innerJoin(users, eq(users.id, sessions.userId))
          .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, now)))
          .limit(1),
      [],
    );
    return rows[0] ?? null;
  }

  async delete(idHash: string): Promise<boolean> {
    const changed = await this.run(
      'session',
      async (db) => affected(await db.delete(sessions).where(eq(sessions.idHash, idHash))),
      0,
    );
    return changed > 0;
  }

  async deleteByUser(userId: string): Promise<number> {
    const changed = await this.run(
      'session',
      async (db) => affected(await db.delete(sessions).where(eq(sessions.userId, userId))),
      0,
    );
    return changed;
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.run('session', (db) => db.delete(sessions).where(lte(sessions.expiresAt, now)));
    return affected(result);
  }
}
