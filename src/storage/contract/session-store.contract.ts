/** SessionStore contract: create/get with the user joined, expiry, conflicts and the three deletions. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type SessionStore, type UserStore } from '../ports';
import { type MakeStorage, makeSession, makeUser, NOW, uid } from './fixtures';

/** Runs the SessionStore contract against `makeStorage()` of adapter `name`. */
export function describeSessionStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`SessionStore contract (${name})`, () => {
    let sessions: SessionStore;
    let users: UserStore;
    beforeAll(async () => {
      const storage = await makeStorage();
      sessions = storage.sessions;
      users = storage.users;
    });

    async function withUser(overrides: Parameters<typeof makeUser>[0] = {}) {
      const user = makeUser(overrides);
      await users.create(user);
      return user;
    }

    it('round-trips every field and returns the user in the same read', async () => {
      const user = await withUser({ role: 'admin' });
      const session = makeSession({ userId: user.id, authTime: NOW - 5 });
      await sessions.create(session);
      expect(await sessions.get(session.idHash, NOW)).toEqual({ session, user });
    });

    it('returns a disabled user as stored (callers decide)', async () => {
      const user = await withUser({ enabled: false });
      const session = makeSession({ userId: user.id });
      await sessions.create(session);
      expect((await sessions.get(session.idHash, NOW))?.user.enabled).toBe(false);
    });

    it('answers null for an unknown hash', async () => {
      expect(await sessions.get(uid('missing-'), NOW)).toBeNull();
    });

    it('answers null from expiresAt on (expiresAt == now is expired)', async () => {
      const user = await withUser();
      const session = makeSession({ userId: user.id, expiresAt: NOW + 100 });
      await sessions.create(session);
      expect(await sessions.get(session.idHash, NOW + 99)).not.toBeNull();
      expect(await sessions.get(session.idHash, NOW + 100)).toBeNull();
      expect(await sessions.get(session.idHash, NOW + 101)).toBeNull();
    });

    it('answers null once the user is deleted', async () => {
      const user = await withUser();
      const session = makeSession({ userId: user.id });
      await sessions.create(session);
      await users.delete(user.id);
      expect(await sessions.get(session.idHash, NOW)).toBeNull();
    });

    it('throws ConflictError on a duplicate idHash or sid, without echoing them', async () => {
      const user = await withUser();
      const session = makeSession({ userId: user.id });
      await sessions.create(session);
      for (const clash of [makeSession({ idHash: session.idHash }), makeSession({ sid: session.sid })]) {
        const error = await sessions.create(clash).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect((error as Error).message).not.toContain(session.idHash);
        expect((error as Error).message).not.toContain(session.sid);
      }
      expect(await sessions.get(session.idHash, NOW)).toEqual({ session, user });
    });

    it('delete answers true once, then false; the session is gone at once', async () => {
      const user = await withUser();
      const session = makeSession({ userId: user.id });
      await sessions.create(session);
      expect(await sessions.delete(session.idHash)).toBe(true);
      expect(await sessions.get(session.idHash, NOW)).toBeNull();
      expect(await sessions.delete(session.idHash)).toBe(false);
    });

    it("sidsByUser lists the sids of the user's live sessions, newest first, and no one else's", async () => {
      const user = await withUser();
      const other = await withUser();
      const older = makeSession({ userId: user.id, createdAt: NOW - 10 });
      const newer = makeSession({ userId: user.id, createdAt: NOW - 5 });
      const expired = makeSession({ userId: user.id, expiresAt: NOW });
      const theirs = makeSession({ userId: other.id });
      for (const s of [older, newer, expired, theirs]) await sessions.create(s);
      expect(await sessions.sidsByUser(user.id, NOW)).toEqual([newer.sid, older.sid]);
      expect(await sessions.sidsByUser(uid('user-'), NOW)).toEqual([]);
      await sessions.deleteByUser(user.id);
      expect(await sessions.sidsByUser(user.id, NOW)).toEqual([]);
    });

    it("deleteByUser ends every session of that user and no one else's", async () => {
      const user = await withUser();
      const other = await withUser();
      const mine = [makeSession({ userId: user.id }), makeSession({ userId: user.id })];
      const theirs = makeSession({ userId: other.id });
      for (const s of [...mine, theirs]) await sessions.create(s);
      expect(await sessions.deleteByUser(user.id)).toBe(2);
      for (const s of mine) expect(await sessions.get(s.idHash, NOW)).toBeNull();
      expect(await sessions.get(theirs.idHash, NOW)).not.toBeNull();
      expect(await sessions.deleteByUser(user.id)).toBe(0);
    });

    it('deleteExpired drops sessions expired at now and keeps live ones', async () => {
      const user = await withUser();
      const now = NOW + 5_000_000 + Math.floor(Math.random() * 1_000_000);
      const expired = makeSession({ userId: user.id, expiresAt: now - 1 });
      const expiringNow = makeSession({ userId: user.id, expiresAt: now });
      const live = makeSession({ userId: user.id, expiresAt: now + 1 });
      for (const s of [expired, expiringNow, live]) await sessions.create(s);
      expect(await sessions.deleteExpired(now)).toBeGreaterThanOrEqual(2);
      expect(await sessions.get(live.idHash, now)).not.toBeNull();
      expect(await sessions.delete(expired.idHash)).toBe(false);
      expect(await sessions.delete(expiringNow.idHash)).toBe(false);
    });
  });
}
