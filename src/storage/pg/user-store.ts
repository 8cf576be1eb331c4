/** PostgreSQL adapter for UserStore (table `users`); usernames are stored and looked up lower-case. */
import { count, eq } from 'drizzle-orm';
import type { Page, UserFilter, UserRecord, UserStore } from '../ports';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { users } from './schema';
import { containsAny } from './search';

const PAGED = pagedTable('user', users, 'createdAt', 'id');

/** UserStore over PostgreSQL. */
export class PgUserStore implements UserStore {
  constructor(private readonly run: PgRunner) {}

  async create(user: UserRecord): Promise<void> {
    const row = { ...user, username: user.username.toLowerCase() };
    await this.run('user', (db) => db.insert(users).values(row));
  }

  async getById(id: string): Promise<UserRecord | null> {
    return findOne(this.run, 'user', users, eq(users.id, id));
  }

  async getByUsername(username: string): Promise<UserRecord | null> {
    return findOne(this.run, 'user', users, eq(users.username, username.toLowerCase()));
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
    return listPage(
      this.run,
      PAGED,
      filter,
      containsAny([users.username, users.email, users.name], filter.q),
    );
  }

  async count(): Promise<number> {
    const rows = await this.run('user', (db) => db.select({ n: count() }).from(users));
    return rows[0]?.n ?? 0;
  }
}
