/** PostgreSQL adapter for ConsentStore (table `consents`, keyed by user and client). */
import { and, desc, eq } from 'drizzle-orm';
import type { ConsentRecord, ConsentStore } from '../ports';
import { affected, type PgRunner } from './runner';
import { consents } from './schema';

/** ConsentStore over PostgreSQL. */
export class PgConsentStore implements ConsentStore {
  constructor(private readonly run: PgRunner) {}

  async get(userId: string, clientId: string): Promise<ConsentRecord | null> {
    const rows = await this.run(
      'consent',
      (db) =>
        db
          .select()
          .from(consents)
          .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
          .limit(1),
      [],
    );
    return rows[0] ?? null;
  }

  /** One statement: concurrent first consents of a pair cannot collide. */
  async put(consent: ConsentRecord): Promise<void> {
    await this.run('consent', (db) =>
      db
        .insert(consents)
        .values(consent)
        .onConflictDoUpdate({
          target: [consents.userId, consents.clientId],
          set: { scope: consent.scope, updatedAt: consent.updatedAt },
        }),
    );
  }

  async delete(userId: string, clientId: string): Promise<boolean> {
    const changed = await this.run(
      'consent',
      async (db) =>
        affected(
          await db.delete(consents).where(and(eq(consents.userId, userId), eq(consents.clientId, clientId))),
        ),
      0,
    );
    return changed > 0;
  }

  async listByUser(userId: string): Promise<ConsentRecord[]> {
    return this.run(
      'consent',
      (db) =>
        db
          .select()
          .from(consents)
          .where(eq(consents.userId, userId))
          .orderBy(desc(consents.updatedAt), desc(consents.clientId)),
      [],
    );
  }
}
