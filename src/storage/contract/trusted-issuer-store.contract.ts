/** TrustedIssuerStore contract: round trips, unique issuers, lookup by issuer, updates, deletes, paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type TrustedIssuerRecord, type TrustedIssuerStore } from '../ports';
import type { MakeStorage } from './fixtures';
import { NOW, uid } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

const KEY = {
  kty: 'EC',
  crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
};

function makeTrustedIssuer(overrides: Partial<TrustedIssuerRecord> = {}): TrustedIssuerRecord {
  return {
    id: uid('ti-'),
    issuer: `https://idp.example.com/${uid()}`,
    jwks: { keys: [{ ...KEY, kid: 'k1', alg: 'ES256' }] },
    jwksUri: null,
    allowedSubjects: ['alice', 'bob@example.com'],
    allowedScopes: ['read', 'write'],
    audience: 'https://api.example.com',
    enabled: true,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

/** Runs the TrustedIssuerStore contract against `makeStorage()` of adapter `name`. */
export function describeTrustedIssuerStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`TrustedIssuerStore contract (${name})`, () => {
    let issuers: TrustedIssuerStore;
    beforeAll(async () => {
      issuers = (await makeStorage()).trustedIssuers;
    });

    it('round-trips every field, by id and by issuer, with inline keys or a jwks_uri', async () => {
      const inline = makeTrustedIssuer();
      const remote = makeTrustedIssuer({
        jwks: null,
        jwksUri: 'https://idp.example.com/jwks.json',
        allowedSubjects: ['*'],
        allowedScopes: [],
        audience: null,
        enabled: false,
      });
      await issuers.create(inline);
      await issuers.create(remote);
      expect(await issuers.get(inline.id)).toEqual(inline);
      expect(await issuers.get(remote.id)).toEqual(remote);
      expect(await issuers.getByIssuer(remote.issuer)).toEqual(remote);
      expect(await issuers.getByIssuer(`${remote.issuer}/`)).toBeNull();
      expect(await issuers.get(uid('missing-'))).toBeNull();
    });

    it('throws ConflictError for a second record with the same issuer, on create and update', async () => {
      const taken = makeTrustedIssuer();
      await issuers.create(taken);
      await expect(issuers.create(makeTrustedIssuer({ issuer: taken.issuer }))).rejects.toBeInstanceOf(
        ConflictError,
      );
      const other = makeTrustedIssuer();
      await issuers.create(other);
      await expect(issuers.update({ ...other, issuer: taken.issuer })).rejects.toBeInstanceOf(ConflictError);
    });

    it('update replaces every field but id and createdAt; false for an unknown id', async () => {
      const issuer = makeTrustedIssuer();
      await issuers.create(issuer);
      const changed: TrustedIssuerRecord = {
        ...issuer,
        issuer: `https://other.example.com/${uid()}`,
        jwks: null,
        jwksUri: 'https://other.example.com/keys',
        allowedSubjects: ['*'],
        allowedScopes: ['read'],
        audience: null,
        enabled: false,
        updatedAt: NOW + 5,
      };
      expect(await issuers.update({ ...changed, createdAt: NOW + 99 })).toBe(true);
      expect(await issuers.get(issuer.id)).toEqual(changed);
      expect(await issuers.update(makeTrustedIssuer())).toBe(false);
    });

    it('delete answers true once, then false', async () => {
      const issuer = makeTrustedIssuer();
      await issuers.create(issuer);
      expect(await issuers.delete(issuer.id)).toBe(true);
      expect(await issuers.get(issuer.id)).toBeNull();
      expect(await issuers.delete(issuer.id)).toBe(false);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const issuer = makeTrustedIssuer({ createdAt });
        await issuers.create(issuer);
        return { createdAt, id: issuer.id };
      },
      async list(page) {
        const result = await issuers.list(page);
        return { ...result, items: result.items.map((r) => ({ createdAt: r.createdAt, id: r.id })) };
      },
    }));
  });
}
