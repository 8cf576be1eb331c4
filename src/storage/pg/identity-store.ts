/**
 * PostgreSQL adapter for IdentityStore (table `federated_identities`). Creating a user with its first
 * identity is one statement (a data-modifying CTE), so it is all or nothing like every other operation.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import type { FederatedIdentityRecord, IdentityStore, UserRecord } from '../ports';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { federatedIdentities, users } from './schema';

const byKey = (provider: string, subject: string) =>
  and(eq(federatedIdentities.provider, provider), eq(federatedIdentities.subject, subject));

/** IdentityStore over PostgreSQL. */
export class PgIdentityStore implements IdentityStore {
  constructor(private readonly run: PgRunner) {}

  async get(provider: string, subject: string): Promise<FederatedIdentityRecord | null> {
    return findOne(this.run, 'identity', federatedIdentities, byKey(provider, subject));
  }

  async link(identity: FederatedIdentityRecord): Promise<void> {
    await this.run('identity', (db) => db.insert(federatedIdentities).values(identity));
  }

  async createWithUser(user: UserRecord, identity: FederatedIdentityRecord): Promise<void> {
    const u = { ...user, username: user.username.toLowerCase() };
    await this.run('identity', (db) =>
      db.execute(sql`
        with created as (
          insert into ${users} (id, username, email, name, password_hash, role, enabled, created_at,
            updated_at, email_verified)
          values (${u.id}, ${u.username}, ${u.email}, ${u.name}, ${u.passwordHash}, ${u.role}, ${u.enabled},
            ${u.createdAt}, ${u.updatedAt}, ${u.emailVerified})
          returning id
        )
        insert into ${federatedIdentities} (provider, subject, user_id, email, created_at)
        select ${identity.provider}, ${identity.subject}, created.id, ${identity.email}, ${identity.createdAt}
        from created`),
    );
  }

  async listByUser(userId: string): Promise<FederatedIdentityRecord[]> {
    return this.run(
      'identity',
      (db) =>
        db
          .select()
          .from(federatedIdentities)
          .where(eq(federatedIdentities.userId, userId))
          .orderBy(asc(federatedIdentities.createdAt), asc(federatedIdentities.provider)),
      [],
    );
  }

  async delete(provider: string, subject: string): Promise<boolean> {
    const result = await this.run('identity', (db) =>
      db.delete(federatedIdentities).where(byKey(provider, subject)),
    );
    return affected(result) > 0;
  }

  async findUsersByEmail(email: string, limit: number): Promise<UserRecord[]> {
    return this.run(
      'user',
      (db) =>
        db
          .select()
          .from(users)
          .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
          .orderBy(asc(users.createdAt), asc(users.id))
          .limit(limit),
      [],
    );
  }
}
