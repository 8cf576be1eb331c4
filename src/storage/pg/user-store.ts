/** PostgreSQL adapter for UserStore (table `users`); usernames are stored and looked up lower-case. */
import { and, count, eq } from 'drizzle-orm';
import { normalizePage, toPage } from '../paging';
import type { Page, UserFilter, UserRecord, UserStore } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { affected, type PgRunner } from './runner';
import { users } from './schema';
import { containsAny } from './search';

const KEYSET: KeysetColumns = { createdAt: users.createdAt, id: users.id };

/** UserStore over PostgreSQL. */
export class PgUserStore implements UserStore {
  constructor(private readonly run: PgRunner) {}

  async create(user: UserRecord): Promise<void> {
    const row = { ...user, username: user.username.toLowerCase() };
    await this.run('user', (db) => db.insert(users).values(row));
  }

  async getById(id: string): Promise<UserRecord | null> {
    const rows = await this.run('user', (db) => db.select().from(users).where(eq(users.id, id)).limit(1), []);
    return rows[0] ?? null;
  }

  async getByUsername(username: string): Promise<UserRecord | null> {
    const rows = await this.run(
      'user',
      (db) => db.select().from(users).where(eq(users.username, username.toLowerCase())).limit(1),
      [],
    );
    return rows[0] ?? null;
  }

  async update(user: UserRecord): Promise<boolean> {
    const { id, ...fields } = user;
    const set = { ...fields, username: fields.username.toLowerCase() };
    const result = await this.run('user', (db) => db.update(users).set(set).where(eq(users.id, id)));
    return affected(result) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const changed = await this.run(
      'user',
      async (db) => affected(await db.delete(users).where(eq(users.id, id))),
      0,
    );
    return changed > 0;
  }

  async list(filter: UserFilter): Promise<Page<UserRecord>> {
    const { limit, offset, after } = normalizePage(filter);
    const where = and(
      containsAny([users.username, users.email, users.name], filter.q),
      afterCursor(KEYSET, after),
    );
    const rows = await this.run(
      'user',
      (db) =>
        db
          .select()
          .from(users)
          .where(where)
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (u) => ({ createdAt: u.createdAt, id: u.id }));
  }

  async count(): Promise<number> {
    const rows = await this.run('user', (db) => db.select({ n: count() }).from(users));
    return rows[0]?.n ?? 0;
  }
}
