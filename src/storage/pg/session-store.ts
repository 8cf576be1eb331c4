/** PostgreSQL adapter for SessionStore (table `sessions`, joined with `users` on read). */
import { and, desc, eq, gt, lte } from 'drizzle-orm';
import type { SessionRecord, SessionStore, SessionWithUser } from '../ports';
import { affected, type PgRunner } from './runner';
import { sessions, users } from './schema';

/** `sidsByUser` answers at most this many. */
const MAX_SIDS = 1000;

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

  async sidsByUser(userId: string, now: number): Promise<string[]> {
    const rows = await this.run(
      'session',
      (db) =>
        db
          .select({ sid: sessions.sid })
          .from(sessions)
          .where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, now)))
          .orderBy(desc(sessions.createdAt))
          .limit(MAX_SIDS),
      [],
    );
    return rows.map((row) => row.sid);
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
