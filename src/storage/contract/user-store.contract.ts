/** UserStore contract: round trips, case-insensitive usernames, conflicts, count, search and paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type UserStore } from '../ports';
import { listAll, type MakeStorage, makeUser, NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** Runs the UserStore contract against `makeStorage()` of adapter `name`. */
export function describeUserStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`UserStore contract (${name})`, () => {
    let users: UserStore;
    beforeAll(async () => {
      users = (await makeStorage()).users;
    });

    it('round-trips every field', async () => {
      const user = makeUser({ role: 'admin' });
      await users.create(user);
      expect(await users.getById(user.id)).toEqual(user);
    });

    it('round-trips nulls and a disabled user', async () => {
      const user = makeUser({ email: null, name: null, enabled: false, emailVerified: false });
      await users.create(user);
      expect(await users.getById(user.id)).toEqual(user);
    });

    it('stores the username lower-case and finds it case-insensitively', async () => {
      const username = uid('Mixed.Case-');
      const user = makeUser({ username });
      await users.create(user);
      const stored = { ...user, username: username.toLowerCase() };
      expect(await users.getById(user.id)).toEqual(stored);
      expect(await users.getByUsername(username.toUpperCase())).toEqual(stored);
      expect(await users.getByUsername(username.toLowerCase())).toEqual(stored);
    });

    it('answers null for an unknown id or username', async () => {
      expect(await users.getById(uid('missing-'))).toBeNull();
      expect(await users.getByUsername(uid('missing-'))).toBeNull();
    });

    it('throws ConflictError on a duplicate id', async () => {
      const user = makeUser();
      await users.create(user);
      await expect(users.create(makeUser({ id: user.id }))).rejects.toBeInstanceOf(ConflictError);
    });

    it('throws ConflictError on a username differing only in case, without echoing it', async () => {
      const user = makeUser();
      await users.create(user);
      const taken = user.username.toUpperCase();
      const error = await users.create(makeUser({ username: taken })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message.toLowerCase()).not.toContain(user.username);
    });

    it('update replaces every field and lower-cases the username', async () => {
      const user = makeUser();
      await users.create(user);
      const changed = makeUser({
        id: user.id,
        username: uid('Renamed-'),
        email: null,
        name: 'Renamed',
        passwordHash: 'pbkdf2-sha256$100000$bmV3c2FsdA$bmV3aGFzaA',
        role: 'admin',
        enabled: false,
        emailVerified: false,
        createdAt: NOW - 10,
        updatedAt: NOW + 10,
      });
      expect(await users.update(changed)).toBe(true);
      const stored = { ...changed, username: changed.username.toLowerCase() };
      expect(await users.getById(user.id)).toEqual(stored);
      expect(await users.getByUsername(changed.username)).toEqual(stored);
      expect(await users.getByUsername(user.username)).toBeNull();
    });

    it('update throws ConflictError on a taken username and keeps the record', async () => {
      const first = makeUser();
      const second = makeUser();
      await users.create(first);
      await users.create(second);
      const clash = { ...second, username: first.username.toUpperCase() };
      await expect(users.update(clash)).rejects.toBeInstanceOf(ConflictError);
      expect(await users.getById(second.id)).toEqual(second);
    });

    it('update answers false for an unknown user and creates nothing', async () => {
      const user = makeUser();
      expect(await users.update(user)).toBe(false);
      expect(await users.getById(user.id)).toBeNull();
    });

    it('delete answers true once, then false; the username is free again', async () => {
      const user = makeUser();
      await users.create(user);
      expect(await users.delete(user.id)).toBe(true);
      expect(await users.getById(user.id)).toBeNull();
      expect(await users.getByUsername(user.username)).toBeNull();
      expect(await users.delete(user.id)).toBe(false);
      await users.create(makeUser({ username: user.username }));
    });

    it('count follows create and delete', async () => {
      const before = await users.count();
      const user = makeUser();
      await users.create(user);
      expect(await users.count()).toBe(before + 1);
      await users.delete(user.id);
      expect(await users.count()).toBe(before);
    });

    it('search (q) matches username, email or name, case-insensitively', async () => {
      const tag = uid('find').replace(/-/g, '');
      const byUsername = makeUser({ username: `${tag}.one`, email: null, name: null, createdAt: NOW + 3 });
      const byEmail = makeUser({ email: `${tag}@Example.com`, createdAt: NOW + 2 });
      const byName = makeUser({ name: `Ada ${tag.toUpperCase()} Lovelace`, createdAt: NOW + 1 });
      const other = makeUser();
      for (const user of [byUsername, byEmail, byName, other]) await users.create(user);
      const found = await listAll((page) => users.list({ ...page, q: tag.toUpperCase() }));
      expect(found).toEqual([byUsername, byEmail, byName]);
      expect(await listAll((page) => users.list({ ...page, q: `${tag}@example` }))).toEqual([byEmail]);
      expect(await listAll((page) => users.list({ ...page, q: `${tag}_` }))).toEqual([]);
    });

    itPagesNewestFirst(() => {
      const tag = uid('paged').replace(/-/g, '');
      return {
        isolated: true,
        async create(createdAt) {
          const user = makeUser({ createdAt, name: `Paged ${tag}` });
          await users.create(user);
          return { createdAt, id: user.id };
        },
        async list(page) {
          const result = await users.list({ ...page, q: tag });
          return { ...result, items: result.items.map((u) => ({ createdAt: u.createdAt, id: u.id })) };
        },
      };
    });

    it('lists records with every field', async () => {
      const user = makeUser();
      await users.create(user);
      const listed = await listAll((page) => users.list(page));
      expect(listed.find((u) => u.id === user.id)).toEqual(user);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const user = makeUser({ createdAt });
        await users.create(user);
        return { createdAt, id: user.id };
      },
      async list(page) {
        const result = await users.list(page);
        return { ...result, items: result.items.map((u) => ({ createdAt: u.createdAt, id: u.id })) };
      },
    }));
  });
}
