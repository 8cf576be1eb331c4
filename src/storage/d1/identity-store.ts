/** D1 adapter for IdentityStore (table `federated_identities`); user + identity creation is one batch. */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { FederatedIdentityRecord, IdentityStore, UserRecord } from '../ports';
import { d1Call } from './errors';
import { findOne } from './rows';
import { federatedIdentities, users } from './schema';

const byKey = (provider: string, subject: string) =>
  and(eq(federatedIdentities.provider, provider), eq(federatedIdentities.subject, subject));

/** IdentityStore over D1. */
export class D1IdentityStore implements IdentityStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async get(provider: string, subject: string): Promise<FederatedIdentityRecord | null> {
    return findOne(this.db, 'identity', federatedIdentities, byKey(provider, subject));
  }

  async link(identity: FederatedIdentityRecord): Promise<void> {
    await d1Call('identity', () => this.db.insert(federatedIdentities).values(identity).run());
  }

  async createWithUser(user: UserRecord, identity: FederatedIdentityRecord): Promise<void> {
    const row = { ...user, username: user.username.toLowerCase() };
    // A D1 batch is one transaction: a conflict on either insert rolls both back.
    await d1Call('identity', () =>
      this.db.batch([
        this.db.insert(users).values(row),
        this.db.insert(federatedIdentities).values({ ...identity, userId: user.id }),
      ]),
    );
  }

  async listByUser(userId: string): Promise<FederatedIdentityRecord[]> {
    return d1Call('identity', () =>
      this.db
        .select()
        .from(federatedIdentities)
        .where(eq(federatedIdentities.userId, userId))
        .orderBy(asc(federatedIdentities.createdAt), asc(federatedIdentities.provider)),
    );
  }

  async delete(provider: string, subject: string): Promise<boolean> {
    const result = await d1Call('identity', () =>
      this.db.delete(federatedIdentities).where(byKey(provider, subject)).run(),
    );
    return result.meta.changes > 0;
  }

  async findUsersByEmail(email: string, limit: number): Promise<UserRecord[]> {
    return d1Call('user', () =>
      this.db
        .select()
        .from(users)
        .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
        .orderBy(asc(users.createdAt), asc(users.id))
        .limit(limit),
    );
  }
}
