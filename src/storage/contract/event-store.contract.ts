/** EventStore contract: idempotent record and recordMany (by id and idempotency key), filters, paging, retention. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord, EventStore } from '../ports';
import { listAll, type MakeStorage, NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** An event exercising every field (nested metadata, a traceparent). */
export function makeEvent(overrides: Partial<EventRecord> = {}): EventRecord {
  const id = uid('evt-');
  return {
    id,
    type: 'token_created',
    time: NOW,
    severity: 'info',
    userId: uid('user-'),
    clientId: uid('client-'),
    metadata: { grant_type: 'authorization_code', scope: 'openid', nested: { refresh: true, n: 2 } },
    idempotencyKey: id,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ...overrides,
  };
}

/** Runs the EventStore contract against `makeStorage()` of adapter `name`. */
export function describeEventStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`EventStore contract (${name})`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = (await makeStorage()).events;
    });

    it('records an event once and reads it back with every field', async () => {
      const event = makeEvent();
      expect(await store.record(event)).toBe(true);
      expect(await store.get(event.id)).toEqual(event);
      const sparse = makeEvent({ userId: null, clientId: null, traceparent: null, metadata: {} });
      expect(await store.record(sparse)).toBe(true);
      expect(await store.get(sparse.id)).toEqual(sparse);
      expect(await store.get(uid('missing-'))).toBeNull();
    });

    it('ignores a second delivery of the same id (duplicate messages record nothing)', async () => {
      const event = makeEvent();
      expect(await store.record(event)).toBe(true);
      expect(await store.record({ ...event, metadata: { changed: true } })).toBe(false);
      expect((await store.get(event.id))?.metadata).toEqual(event.metadata);
      const listed = await store.list({ limit: 200, clientId: event.clientId ?? undefined });
      expect(listed.items.map((e) => e.id)).toEqual([event.id]);
    });

    it('ignores another event with the same idempotency key', async () => {
      const first = makeEvent({ idempotencyKey: uid('key-') });
      const again = makeEvent({ idempotencyKey: first.idempotencyKey, clientId: first.clientId });
      expect(await store.record(first)).toBe(true);
      expect(await store.record(again)).toBe(false);
      expect(await store.get(again.id)).toBeNull();
    });

    it('records many at once, in order: new ones true, repeats (in the batch or before) false', async () => {
      const clientId = uid('client-');
      const before = makeEvent({ clientId });
      await store.record(before);
      const a = makeEvent({ clientId, time: NOW + 1 });
      const b = makeEvent({ clientId, time: NOW + 2 });
      const sameKeyAsA = makeEvent({ clientId, idempotencyKey: a.idempotencyKey });
      expect(await store.recordMany([a, before, b, a, sameKeyAsA])).toEqual([
        true,
        false,
        true,
        false,
        false,
      ]);
      expect(await store.recordMany([])).toEqual([]);
      const listed = await store.list({ limit: 200, clientId });
      expect(listed.items.map((e) => e.id).sort()).toEqual([before.id, a.id, b.id].sort());
      expect(await store.get(b.id)).toEqual(b);
    });

    it('records a large batch (more than one statement) with every field, sparse ones included', async () => {
      const clientId = uid('client-');
      const filler = 'm'.repeat(600);
      const records = Array.from({ length: 1500 }, (_, i) =>
        i % 3 === 0
          ? makeEvent({ clientId, time: NOW + i, userId: null, traceparent: null, metadata: {} })
          : makeEvent({ clientId, time: NOW + i, metadata: { i, filler, deep: { list: [i, 'x', null] } } }),
      );
      const repeated = records[7] as EventRecord;
      const fresh = await store.recordMany([...records, repeated]);
      expect(fresh.slice(0, -1).every(Boolean)).toBe(true);
      expect(fresh.at(-1)).toBe(false);
      for (const i of [0, 1, 700, 1499]) {
        const record = records[i] as EventRecord;
        expect(await store.get(record.id)).toEqual(record);
      }
      expect(await store.recordMany(records.slice(0, 10))).toEqual(new Array(10).fill(false));
    });

    it('lists by client, by user and by type', async () => {
      const clientId = uid('client-');
      const userId = uid('user-');
      const type = `test_${crypto.randomUUID().slice(0, 8)}`;
      const a = makeEvent({ clientId, userId, time: NOW + 1 });
      const b = makeEvent({ clientId, userId: null, time: NOW + 2, type });
      const c = makeEvent({ clientId: null, userId, time: NOW + 3, type });
      for (const event of [a, b, c]) await store.record(event);
      const ids = async (filter: Parameters<EventStore['list']>[0]) =>
        (await listAll((page) => store.list({ ...filter, ...page }))).map((e) => e.id);
      expect(await ids({ limit: 2, clientId })).toEqual([b.id, a.id]);
      expect(await ids({ limit: 2, userId })).toEqual([c.id, a.id]);
      expect(await ids({ limit: 2, type })).toEqual([c.id, b.id]);
      expect(await ids({ limit: 2, type, clientId })).toEqual([b.id]);
    });

    it('deletes events older than a time, at most `limit` per call, oldest first', async () => {
      const clientId = uid('client-');
      const old = [1, 2, 3].map((n) => makeEvent({ clientId, time: 1_000 + n }));
      const recent = makeEvent({ clientId, time: NOW });
      for (const event of [...old, recent]) await store.record(event);
      expect(await store.deleteBefore(1_000_000, 2)).toBeGreaterThanOrEqual(2);
      expect(await store.get(old[0]?.id ?? '')).toBeNull();
      expect(await store.get(old[1]?.id ?? '')).toBeNull();
      await store.deleteBefore(1_000_000, 1_000);
      const left = await store.list({ limit: 200, clientId });
      expect(left.items.map((e) => e.id)).toEqual([recent.id]);
    });

    itPagesNewestFirst(() => {
      const clientId = uid('client-');
      return {
        isolated: true,
        async create(createdAt) {
          const event = makeEvent({ clientId, time: createdAt });
          await store.record(event);
          return { createdAt, id: event.id };
        },
        async list(page) {
          const result = await store.list({ ...page, clientId });
          return { ...result, items: result.items.map((e) => ({ createdAt: e.time, id: e.id })) };
        },
      };
    });
  });
}
