/** GrantStore contract: idempotent upsert, filters, revocation, active count, daily counts and paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GrantStore } from '../ports';
import { listAll, type MakeStorage, makeGrant, NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** Runs the GrantStore contract against `makeStorage()` of adapter `name`. */
export function describeGrantStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`GrantStore contract (${name})`, () => {
    let grants: GrantStore;
    beforeAll(async () => {
      grants = (await makeStorage()).grants;
    });

    it('round-trips every field, with and without a user and a revocation', async () => {
      const withUser = makeGrant();
      const clientOnly = makeGrant({
        userId: null,
        grantType: 'client_credentials',
        revokedAt: NOW + 5,
        sid: null,
      });
      await grants.upsert(withUser);
      await grants.upsert(clientOnly);
      expect(await grants.get(withUser.id)).toEqual(withUser);
      expect(await grants.get(clientOnly.id)).toEqual(clientOnly);
    });

    it('stores a grant given without a sid with sid null', async () => {
      const { sid: _sid, ...withoutSid } = makeGrant();
      await grants.upsert(withoutSid);
      expect(await grants.get(withoutSid.id)).toEqual({ ...withoutSid, sid: null });
    });

    it('filters by sid (the sign-in session), alone and with userId and activeAt', async () => {
      const userId = uid('user-');
      const sid = uid('sid-');
      const a = makeGrant({ userId, sid, createdAt: NOW + 3 });
      const b = makeGrant({ userId, sid, createdAt: NOW + 2, revokedAt: NOW + 1 });
      const other = makeGrant({ userId, sid: uid('sid-'), createdAt: NOW + 1 });
      const none = makeGrant({ userId, sid: null, createdAt: NOW });
      for (const g of [a, b, other, none]) await grants.upsert(g);
      expect(await listAll((page) => grants.list({ ...page, sid }))).toEqual([a, b]);
      expect(await listAll((page) => grants.list({ ...page, userId, sid, activeAt: NOW }))).toEqual([a]);
      expect(await listAll((page) => grants.list({ ...page, userId }))).toEqual([a, b, other, none]);
      expect(await listAll((page) => grants.list({ ...page, sid: uid('none-') }))).toEqual([]);
    });

    it('answers null for an unknown id', async () => {
      expect(await grants.get(uid('missing-'))).toBeNull();
    });

    it('upsert is idempotent and replaces the fields of an existing grant', async () => {
      const grant = makeGrant();
      await grants.upsert(grant);
      await grants.upsert(grant);
      expect(await listAll((page) => grants.list({ ...page, clientId: grant.clientId }))).toEqual([grant]);
      const replaced = {
        ...grant,
        scope: 'openid',
        expiresAt: NOW + 60,
        grantType: 'refresh_token',
        sid: uid('sid-'),
      };
      await grants.upsert(replaced);
      expect(await grants.get(grant.id)).toEqual(replaced);
    });

    it('upsert never clears or moves a recorded revocation (redelivered events)', async () => {
      const grant = makeGrant();
      await grants.upsert(grant);
      await grants.markRevoked(grant.id, NOW + 10);
      await grants.upsert(grant);
      expect((await grants.get(grant.id))?.revokedAt).toBe(NOW + 10);
      await grants.upsert({ ...grant, revokedAt: NOW + 20 });
      expect((await grants.get(grant.id))?.revokedAt).toBe(NOW + 10);
    });

    it('filters by clientId, by userId and by both', async () => {
      const clientId = uid('client-');
      const userId = uid('user-');
      const a = makeGrant({ clientId, userId, createdAt: NOW + 2 });
      const b = makeGrant({ clientId, userId: null, createdAt: NOW + 1 });
      const c = makeGrant({ userId, createdAt: NOW });
      for (const g of [a, b, c]) await grants.upsert(g);
      expect(await listAll((page) => grants.list({ ...page, clientId }))).toEqual([a, b]);
      expect(await listAll((page) => grants.list({ ...page, userId }))).toEqual([a, c]);
      expect(await listAll((page) => grants.list({ ...page, clientId, userId }))).toEqual([a]);
      expect(await listAll((page) => grants.list({ ...page, clientId: uid('none-') }))).toEqual([]);
    });

    it('markRevoked sets revokedAt and keeps the first revocation time', async () => {
      const grant = makeGrant();
      await grants.upsert(grant);
      expect(await grants.markRevoked(grant.id, NOW + 10)).toBe(true);
      expect(await grants.get(grant.id)).toEqual({ ...grant, revokedAt: NOW + 10 });
      expect(await grants.markRevoked(grant.id, NOW + 20)).toBe(true);
      expect((await grants.get(grant.id))?.revokedAt).toBe(NOW + 10);
    });

    it('markRevoked answers false for an unknown grant and creates nothing', async () => {
      const id = uid('missing-');
      expect(await grants.markRevoked(id, NOW)).toBe(false);
      expect(await grants.get(id)).toBeNull();
    });

    it('countActive counts grants neither revoked nor expired at now (expiresAt == now is expired)', async () => {
      const now = NOW + 7_000_000 + Math.floor(Math.random() * 1_000_000);
      const before = await grants.countActive(now);
      const active = makeGrant({ expiresAt: now + 1 });
      const expired = makeGrant({ expiresAt: now - 1 });
      const expiringNow = makeGrant({ expiresAt: now });
      const revoked = makeGrant({ expiresAt: now + 3600 });
      for (const g of [active, expired, expiringNow, revoked]) await grants.upsert(g);
      await grants.markRevoked(revoked.id, now - 5);
      expect(await grants.countActive(now)).toBe(before + 1);
      await grants.markRevoked(active.id, now);
      expect(await grants.countActive(now)).toBe(before);
    });

    it('filters by activeAt: neither revoked nor expired at that time', async () => {
      const clientId = uid('client-');
      const active = makeGrant({ clientId, expiresAt: NOW + 100, createdAt: NOW + 2 });
      const expired = makeGrant({ clientId, expiresAt: NOW + 50, createdAt: NOW + 1 });
      const revoked = makeGrant({ clientId, expiresAt: NOW + 100 });
      for (const g of [active, expired, revoked]) await grants.upsert(g);
      await grants.markRevoked(revoked.id, NOW);
      expect(await listAll((page) => grants.list({ ...page, clientId, activeAt: NOW + 50 }))).toEqual([
        active,
      ]);
      expect(await listAll((page) => grants.list({ ...page, clientId, activeAt: NOW + 10 }))).toEqual([
        active,
        expired,
      ]);
    });

    it('countCreatedByDay counts grants per UTC day in [from, to), ascending, empty days left out', async () => {
      // A window far from other tests' grants, starting at a UTC midnight.
      const day0 = Math.floor((NOW + 40_000_000 + Math.floor(Math.random() * 1_000) * 864_000) / 86_400);
      const at = (day: number, secs: number) => (day0 + day) * 86_400 + secs;
      for (const createdAt of [at(0, 0), at(0, 86_399), at(2, 5), at(3, 0)]) {
        await grants.upsert(makeGrant({ createdAt }));
      }
      expect(await grants.countCreatedByDay(at(0, 0), at(3, 0))).toEqual([
        { day: day0, count: 2 },
        { day: day0 + 2, count: 1 },
      ]);
      expect(await grants.countCreatedByDay(at(0, 1), at(4, 0))).toEqual([
        { day: day0, count: 1 },
        { day: day0 + 2, count: 1 },
        { day: day0 + 3, count: 1 },
      ]);
    });

    itPagesNewestFirst(() => {
      const clientId = uid('client-');
      return {
        isolated: true,
        async create(createdAt) {
          const grant = makeGrant({ clientId, createdAt });
          await grants.upsert(grant);
          return { createdAt, id: grant.id };
        },
        async list(page) {
          const result = await grants.list({ ...page, clientId });
          return { ...result, items: result.items.map((g) => ({ createdAt: g.createdAt, id: g.id })) };
        },
      };
    });
  });
}
