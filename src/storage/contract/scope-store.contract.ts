/** ScopeStore and ResourceStore contract: round trips, unique names and identifiers, updates, deletes, paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  type ResourceRecord,
  type ResourceStore,
  type ScopeRecord,
  type ScopeStore,
} from '../ports';
import type { MakeStorage } from './fixtures';
import { NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

function makeScope(overrides: Partial<ScopeRecord> = {}): ScopeRecord {
  return {
    name: uid('orders:'),
    description: 'See your orders',
    advertise: true,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

function makeResource(overrides: Partial<ResourceRecord> = {}): ResourceRecord {
  return {
    id: uid('api-'),
    identifier: `https://api.example.com/${uid()}`,
    name: 'Orders',
    scopes: [uid('orders:'), uid('orders:')],
    accessTokenFormat: 'opaque',
    accessTokenTtlSecs: 600,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

/** Runs the ScopeStore contract against `makeStorage()` of adapter `name`. */
export function describeScopeStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`ScopeStore contract (${name})`, () => {
    let scopes: ScopeStore;
    beforeAll(async () => {
      scopes = (await makeStorage()).scopes;
    });

    it('round-trips every field', async () => {
      const scope = makeScope({ advertise: false });
      await scopes.create(scope);
      expect(await scopes.get(scope.name)).toEqual(scope);
      expect(await scopes.get(uid('missing:'))).toBeNull();
    });

    it('throws ConflictError for a second scope of the same name', async () => {
      const scope = makeScope();
      await scopes.create(scope);
      await expect(scopes.create(makeScope({ name: scope.name }))).rejects.toBeInstanceOf(ConflictError);
    });

    it('update replaces description, advertise and updatedAt; false for an unknown name', async () => {
      const scope = makeScope();
      await scopes.create(scope);
      const changed = { ...scope, description: 'Place orders', advertise: false, updatedAt: NOW + 5 };
      expect(await scopes.update(changed)).toBe(true);
      expect(await scopes.get(scope.name)).toEqual(changed);
      expect(await scopes.update(makeScope())).toBe(false);
    });

    it('delete answers true once, then false', async () => {
      const scope = makeScope();
      await scopes.create(scope);
      expect(await scopes.delete(scope.name)).toBe(true);
      expect(await scopes.get(scope.name)).toBeNull();
      expect(await scopes.delete(scope.name)).toBe(false);
    });

    it('all lists every scope, oldest first, up to the limit', async () => {
      const first = makeScope({ createdAt: 1 });
      await scopes.create(first);
      const listed = await scopes.all(10_000);
      expect(listed.some((scope) => scope.name === first.name)).toBe(true);
      expect((await scopes.all(1)).length).toBe(1);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const scope = makeScope({ createdAt });
        await scopes.create(scope);
        return { createdAt, id: scope.name };
      },
      async list(page) {
        const result = await scopes.list(page);
        return { ...result, items: result.items.map((s) => ({ createdAt: s.createdAt, id: s.name })) };
      },
    }));
  });
}

/** Runs the ResourceStore contract against `makeStorage()` of adapter `name`. */
export function describeResourceStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`ResourceStore contract (${name})`, () => {
    let resources: ResourceStore;
    beforeAll(async () => {
      resources = (await makeStorage()).resources;
    });

    it('round-trips every field, with and without the optional ones', async () => {
      const full = makeResource();
      const bare = makeResource({
        name: null,
        scopes: [],
        accessTokenFormat: null,
        accessTokenTtlSecs: null,
      });
      await resources.create(full);
      await resources.create(bare);
      expect(await resources.get(full.id)).toEqual(full);
      expect(await resources.get(bare.id)).toEqual(bare);
      expect(await resources.get(uid('missing-'))).toBeNull();
    });

    it('throws ConflictError for a second API with the same identifier, on create and update', async () => {
      const taken = makeResource();
      await resources.create(taken);
      await expect(resources.create(makeResource({ identifier: taken.identifier }))).rejects.toBeInstanceOf(
        ConflictError,
      );
      const other = makeResource();
      await resources.create(other);
      await expect(resources.update({ ...other, identifier: taken.identifier })).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('update replaces every field but id and createdAt; false for an unknown id', async () => {
      const resource = makeResource();
      await resources.create(resource);
      const changed: ResourceRecord = {
        ...resource,
        identifier: `https://api.example.com/${uid()}`,
        name: null,
        scopes: ['a:b'],
        accessTokenFormat: 'jwt',
        accessTokenTtlSecs: null,
        updatedAt: NOW + 5,
      };
      expect(await resources.update({ ...changed, createdAt: NOW + 99 })).toBe(true);
      expect(await resources.get(resource.id)).toEqual(changed);
      expect(await resources.update(makeResource())).toBe(false);
    });

    it('delete answers true once, then false', async () => {
      const resource = makeResource();
      await resources.create(resource);
      expect(await resources.delete(resource.id)).toBe(true);
      expect(await resources.get(resource.id)).toBeNull();
      expect(await resources.delete(resource.id)).toBe(false);
    });

    it('all lists every API, oldest first, up to the limit', async () => {
      const first = makeResource({ createdAt: 1 });
      await resources.create(first);
      expect((await resources.all(10_000)).some((r) => r.id === first.id)).toBe(true);
      expect((await resources.all(1)).length).toBe(1);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const resource = makeResource({ createdAt });
        await resources.create(resource);
        return { createdAt, id: resource.id };
      },
      async list(page) {
        const result = await resources.list(page);
        return { ...result, items: result.items.map((r) => ({ createdAt: r.createdAt, id: r.id })) };
      },
    }));
  });
}
