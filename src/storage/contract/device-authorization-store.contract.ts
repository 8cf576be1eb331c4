/** DeviceAuthorizationStore contract: round trips, replacing a redrawn user code, expiry, sweep, paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeviceAuthorizationRecord, DeviceAuthorizationStore } from '../ports';
import type { MakeStorage } from './fixtures';
import { NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** A unique key shaped like a user code (upper-case letters), long enough never to collide. */
function userCode(): string {
  return uid()
    .replace(/[^0-9a-f]/g, '')
    .toUpperCase();
}

function makeDeviceAuthorization(
  overrides: Partial<DeviceAuthorizationRecord> = {},
): DeviceAuthorizationRecord {
  return {
    userCode: userCode(),
    clientId: uid('client-'),
    scope: 'openid profile offline_access',
    createdAt: NOW,
    expiresAt: NOW + 600,
    ...overrides,
  };
}

/** Runs the DeviceAuthorizationStore contract against `makeStorage()` of adapter `name`. */
export function describeDeviceAuthorizationStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`DeviceAuthorizationStore contract (${name})`, () => {
    let store: DeviceAuthorizationStore;
    beforeAll(async () => {
      store = (await makeStorage()).deviceAuthorizations;
    });

    it('round-trips every field', async () => {
      const record = makeDeviceAuthorization();
      await store.put(record);
      expect(await store.get(record.userCode)).toEqual(record);
      expect(await store.get(userCode())).toBeNull();
    });

    it('put replaces the row of a user code drawn again', async () => {
      const first = makeDeviceAuthorization({ expiresAt: NOW - 1 });
      await store.put(first);
      const again = makeDeviceAuthorization({ userCode: first.userCode, createdAt: NOW + 5 });
      await store.put(again);
      expect(await store.get(first.userCode)).toEqual(again);
    });

    it('delete removes a row once; false for an unknown user code', async () => {
      const record = makeDeviceAuthorization();
      await store.put(record);
      expect(await store.delete(record.userCode)).toBe(true);
      expect(await store.get(record.userCode)).toBeNull();
      expect(await store.delete(record.userCode)).toBe(false);
    });

    it('lists only rows unexpired at now', async () => {
      const live = makeDeviceAuthorization({ createdAt: NOW + 10_000, expiresAt: NOW + 10_600 });
      const expired = makeDeviceAuthorization({ createdAt: NOW + 10_000, expiresAt: NOW + 10_100 });
      await store.put(live);
      await store.put(expired);
      const listed = (await store.list({ limit: 200 }, NOW + 10_100)).items.map((r) => r.userCode);
      expect(listed).toContain(live.userCode);
      expect(listed).not.toContain(expired.userCode);
    });

    it('deleteExpired removes the rows expired at now and answers how many', async () => {
      const expired = makeDeviceAuthorization({ expiresAt: NOW - 100 });
      const live = makeDeviceAuthorization({ expiresAt: NOW + 100 });
      await store.put(expired);
      await store.put(live);
      expect(await store.deleteExpired(NOW)).toBeGreaterThanOrEqual(1);
      expect(await store.get(expired.userCode)).toBeNull();
      expect(await store.get(live.userCode)).toEqual(live);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const record = makeDeviceAuthorization({ createdAt, expiresAt: NOW + 1_000_000 });
        await store.put(record);
        return { createdAt, id: record.userCode };
      },
      list: async (page) => {
        const listed = await store.list(page, NOW);
        return { ...listed, items: listed.items.map((r) => ({ createdAt: r.createdAt, id: r.userCode })) };
      },
    }));
  });
}
