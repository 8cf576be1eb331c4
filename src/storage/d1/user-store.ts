/** D1 adapter for UserStore (table `users`); usernames are stored and looked up lower-case. */
import { and, count, eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { Page, UserFilter, UserRecord, UserStore } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { users } from './schema';
import { containsAny } from './search';

const KEYSET: KeysetColumns = { createdAt: users.createdAt, id: users.id };

/** UserStore over D1. */
export class D1UserStore implements UserStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(user: UserRecord): Promise<void> {
    const row = { ...user, username: user.username.toLowerCase() };
    await d1Call('user', () => this.db.insert(users).values(row).run());
  }

  async getById(id: string): Promise<UserRecord | null> {
    const rows = await d1Call('user', () => this.db.select().from(users).where(eq(users.id, id)).limit(1));
    return rows[0] ?? null;
  }

  async getByUsername(username: string): Promise<UserRecord | null> {
    const rows = await d1Call('user', () =>
      this.db.select().from(users).where(eq(users.username, username.toLowerCase())).limit(1),
    );
    return rows[0] ?? null;
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
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      containsAny([users.username, users.email, users.name], filter.q),
      afterCursor(KEYSET, after),
    );
    const rows = await d1Call('user', () =>
      this.db
        .select()
        .from(users)
        .where(where)
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (u) => ({ createdAt: u.createdAt, id: u.id }));
  }

  async count(): Promise<number> {
    const rows = await d1Call('user', () => this.db.select({ n: count() }).from(users));
    return rows[0]?.n ?? 0;
  }
}
