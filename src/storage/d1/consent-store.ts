/** D1 adapter for ConsentStore (table `consents`, keyed by user and client). */
import { and, desc, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { ConsentRecord, ConsentStore } from '../ports';
import { d1Call } from './errors';
import { consents } from './schema';

export class D1ConsentStore implements ConsentStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async get(userId: string, clientId: string): Promise<ConsentRecord | null> {
    const rows = await d1Call('consent', () =>
      this.db
        .select()
        .from(consents)
        .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
        .limit(1),
    );
    return rows[0] ?? null;
  }

  async put(consent: ConsentRecord): Promise<void> {
    await d1Call('consent', () =>
      this.db
        .insert(consents)
        .values(consent)
        .onConflictDoUpdate({
          target: [consents.userId, consents.clientId],
          set: { scope: consent.scope, updatedAt: consent.updatedAt },
        })
        .run(),
    );
  }

  async delete(userId: string, clientId: string): Promise<boolean> {
    const result = await d1Call('consent', () =>
      this.db
        .delete(consents)
        .where(and(eq(consents.userId, userId), eq(consents.clientId, clientId)))
        .run(),
    );
    return result.meta.changes > 0;
  }

  async listByUser(userId: string): Promise<ConsentRecord[]> {
    return d1Call('consent', () =>
      this.db
        .select()
        .from(consents)
        .where(eq(consents.userId, userId))
        .orderBy(desc(consents.updatedAt), desc(consents.clientId)),
    );
  }
}
