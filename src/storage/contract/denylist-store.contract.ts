/** DenylistStore contract: round trips, one entry per kind and value, entries in force, expiry and paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type DenylistStore } from '../ports';
import { listAll, type MakeStorage, makeDenyEntry, NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** Runs the DenylistStore contract against `makeStorage()` of adapter `name`. */
export function describeDenylistStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`DenylistStore contract (${name})`, () => {
    let denylist: DenylistStore;
    beforeAll(async () => {
      denylist = (await makeStorage()).denylist;
    });

    it('round-trips every field, with and without an expiry and a reason', async () => {
      const permanent = makeDenyEntry();
      const expiring = makeDenyEntry({
        kind: 'ip',
        value: '203.0.113.0/24',
        reason: null,
        expiresAt: NOW + 60,
      });
      await denylist.add(permanent);
      await denylist.add(expiring);
      expect(await denylist.get(permanent.id)).toEqual(permanent);
      expect(await denylist.get(expiring.id)).toEqual(expiring);
    });

    it('answers null for an unknown id', async () => {
      expect(await denylist.get(uid('missing-'))).toBeNull();
    });

    it('throws ConflictError for a second entry of the same kind and value, without echoing it', async () => {
      const entry = makeDenyEntry();
      await denylist.add(entry);
      const error = await denylist.add(makeDenyEntry({ value: entry.value })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).not.toContain(entry.value);
      await expect(
        denylist.add(makeDenyEntry({ kind: 'email', value: entry.value })),
      ).resolves.toBeUndefined();
    });

    it('delete answers true once, then false', async () => {
      const entry = makeDenyEntry();
      await denylist.add(entry);
      expect(await denylist.delete(entry.id)).toBe(true);
      expect(await denylist.get(entry.id)).toBeNull();
      expect(await denylist.delete(entry.id)).toBe(false);
    });

    it('listActive answers the entries in force at now (expiresAt == now is expired), newest first', async () => {
      const now = NOW + 9_000_000 + Math.floor(Math.random() * 1_000_000);
      const permanent = makeDenyEntry({ createdAt: now + 3 });
      const later = makeDenyEntry({ createdAt: now + 2, expiresAt: now + 1 });
      const expiringNow = makeDenyEntry({ createdAt: now + 1, expiresAt: now });
      for (const entry of [permanent, later, expiringNow]) await denylist.add(entry);
      const active = await denylist.listActive(now, 10_000);
      const mine = active.filter((e) => [permanent.id, later.id, expiringNow.id].includes(e.id));
      expect(mine).toEqual([permanent, later]);
      expect(await denylist.listActive(now, 1)).toHaveLength(1);
    });

    it('deleteExpired drops only the entries expired at now', async () => {
      const now = NOW + 20_000_000 + Math.floor(Math.random() * 1_000_000);
      const expired = makeDenyEntry({ expiresAt: now });
      const live = makeDenyEntry({ expiresAt: now + 1 });
      const permanent = makeDenyEntry();
      for (const entry of [expired, live, permanent]) await denylist.add(entry);
      expect(await denylist.deleteExpired(now)).toBeGreaterThanOrEqual(1);
      expect(await denylist.get(expired.id)).toBeNull();
      expect(await denylist.get(live.id)).toEqual(live);
      expect(await denylist.get(permanent.id)).toEqual(permanent);
      await expect(denylist.add(makeDenyEntry({ value: expired.value }))).resolves.toBeUndefined();
    });

    it('filters the listing by kind', async () => {
      const value = uid('both-');
      const asUser = makeDenyEntry({ kind: 'user', value });
      const asClient = makeDenyEntry({ kind: 'client', value });
      await denylist.add(asUser);
      await denylist.add(asClient);
      const clients = await listAll((page) => denylist.list({ ...page, kind: 'client' }));
      expect(clients.every((e) => e.kind === 'client')).toBe(true);
      expect(clients.map((e) => e.id)).toContain(asClient.id);
      expect(clients.map((e) => e.id)).not.toContain(asUser.id);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const entry = makeDenyEntry({ createdAt });
        await denylist.add(entry);
        return { createdAt, id: entry.id };
      },
      async list(page) {
        const result = await denylist.list(page);
        return { ...result, items: result.items.map((e) => ({ createdAt: e.createdAt, id: e.id })) };
      },
    }));
  });
}
