/** D1 adapter for UserStore (table `users`); usernames are stored and looked up lower-case. */
import { count, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { Page, UserFilter, UserRecord, UserStore } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { users } from './schema';
import { containsAny } from './search';

const PAGED = pagedTable('user', users, 'createdAt', 'id');

/** UserStore over D1. */
export class D1UserStore implements UserStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(user: UserRecord): Promise<void> {
    const row = { ...user, username: user.username.toLowerCase() };
    await d1Call('user', () => this.db.insert(users).values(row).run());
  }

  async getById(id: string): Promise<UserRecord | null> {
    return findOneBy(this.db, 'user', users, users.id, id);
  }

  async getByUsername(username: string): Promise<UserRecord | null> {
    return findOneBy(this.db, 'user', users, users.username, username.toLowerCase());
  }

  async update(user: UserRecord): Promise<boolean> {
    const { id, ...fields } = user;
    const set = { ...fields, username: fields.username.toLowerCase() };
    const result = await d1Call('user', () => this.db.update(users).set(set).where(eq(users.id, id)).run());
    return result.meta.changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await d1Call('user', () => this.db.delete(users).where(eq(users.id, id)).run());
    return result.meta.changes > 0;
  }

  async list(filter: UserFilter): Promise<Page<UserRecord>> {
    return listPage(this.db, PAGED, filter, containsAny([users.username, users.email, users.name], filter.q));
  }

  async count(): Promise<number> {
    const rows = await d1Call('user', () => this.db.select({ n: count() }).from(users));
    return rows[0]?.n ?? 0;
  }
}
