/** ClientStore contract: round trips, conflicts, replace/delete semantics, count, search and paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClientStore, ConflictError } from '../ports';
import { listAll, type MakeStorage, makeClient, NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** Runs the ClientStore contract against `makeStorage()` of adapter `name`. */
export function describeClientStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`ClientStore contract (${name})`, () => {
    let clients: ClientStore;
    beforeAll(async () => {
      clients = (await makeStorage()).clients;
    });

    it('round-trips every field of a confidential client', async () => {
      const client = makeClient();
      await clients.create(client);
      expect(await clients.get(client.clientId)).toEqual(client);
    });

    it('round-trips a public client: nulls, empty arrays, empty metadata, flipped booleans', async () => {
      const client = makeClient({
        clientSecretHash: null,
        clientSecretExpiresAt: NOW + 86_400,
        registrationAccessTokenHash: null,
        clientName: null,
        grantTypes: [],
        responseTypes: [],
        tokenEndpointAuthMethod: 'none',
        metadata: {},
        enabled: false,
        firstParty: true,
      });
      await clients.create(client);
      expect(await clients.get(client.clientId)).toEqual(client);
    });

    it('answers null for an unknown client_id', async () => {
      expect(await clients.get(uid('missing-'))).toBeNull();
    });

    it('throws ConflictError on a duplicate client_id, without echoing it', async () => {
      const client = makeClient();
      await clients.create(client);
      const error = await clients.create(makeClient({ clientId: client.clientId })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as Error).message).not.toContain(client.clientId);
      expect(await clients.get(client.clientId)).toEqual(client);
    });

    it('update replaces every field and answers true', async () => {
      const client = makeClient();
      await clients.create(client);
      const changed = makeClient({
        clientId: client.clientId,
        clientSecretHash: null,
        clientName: 'Renamed',
        redirectUris: ['https://other.example.com/cb'],
        grantTypes: ['client_credentials'],
        responseTypes: [],
        scope: 'read',
        tokenEndpointAuthMethod: 'client_secret_post',
        metadata: { logo_uri: 'https://other.example.com/logo.png' },
        enabled: false,
        firstParty: true,
        createdAt: NOW - 10,
        updatedAt: NOW + 10,
      });
      expect(await clients.update(changed)).toBe(true);
      expect(await clients.get(client.clientId)).toEqual(changed);
    });

    it('update answers false for an unknown client and creates nothing', async () => {
      const client = makeClient();
      expect(await clients.update(client)).toBe(false);
      expect(await clients.get(client.clientId)).toBeNull();
    });

    it('delete answers true once, then false', async () => {
      const client = makeClient();
      await clients.create(client);
      expect(await clients.delete(client.clientId)).toBe(true);
      expect(await clients.get(client.clientId)).toBeNull();
      expect(await clients.delete(client.clientId)).toBe(false);
    });

    it('count follows create and delete', async () => {
      const before = await clients.count();
      const client = makeClient();
      await clients.create(client);
      expect(await clients.count()).toBe(before + 1);
      await clients.delete(client.clientId);
      expect(await clients.count()).toBe(before);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const client = makeClient({ createdAt });
        await clients.create(client);
        return { createdAt, id: client.clientId };
      },
      async list(page) {
        const result = await clients.list(page);
        return { ...result, items: result.items.map((c) => ({ createdAt: c.createdAt, id: c.clientId })) };
      },
    }));

    it('search (q) matches client_id or client_name, case-insensitively', async () => {
      const tag = uid('Tag').replace(/-/g, '');
      const byName = makeClient({ clientName: `Billing ${tag} Portal`, createdAt: NOW + 2 });
      const byId = makeClient({
        clientId: `client-${tag.toLowerCase()}-x`,
        clientName: null,
        createdAt: NOW + 1,
      });
      const other = makeClient({ clientName: 'Unrelated' });
      for (const client of [byName, byId, other]) await clients.create(client);
      const found = await listAll((page) => clients.list({ ...page, q: tag.toUpperCase() }));
      expect(found).toEqual([byName, byId]);
      expect(await listAll((page) => clients.list({ ...page, q: `${tag} por` }))).toEqual([byName]);
    });

    it('search (q) treats % and _ literally', async () => {
      const tag = uid('pct').replace(/-/g, '');
      const literal = makeClient({ clientName: `${tag} 100%_off` });
      const lookalike = makeClient({ clientName: `${tag} 100xyoff` });
      await clients.create(literal);
      await clients.create(lookalike);
      expect(await listAll((page) => clients.list({ ...page, q: `${tag} 100%_` }))).toEqual([literal]);
      expect(await listAll((page) => clients.list({ ...page, q: '%' }))).not.toContainEqual(lookalike);
    });

    itPagesNewestFirst(() => {
      const tag = uid('paged').replace(/-/g, '');
      return {
        isolated: true,
        async create(createdAt) {
          const client = makeClient({ createdAt, clientName: `Paged ${tag}` });
          await clients.create(client);
          return { createdAt, id: client.clientId };
        },
        async list(page) {
          const result = await clients.list({ ...page, q: tag });
          return { ...result, items: result.items.map((c) => ({ createdAt: c.createdAt, id: c.clientId })) };
        },
      };
    });

    it('lists records with every field', async () => {
      const client = makeClient();
      await clients.create(client);
      const listed = await listAll((page) => clients.list(page));
      expect(listed.find((c) => c.clientId === client.clientId)).toEqual(client);
    });
  });
}
