/** D1 adapter: the storage contract suites inside workerd, plus D1 error mapping and the factory cache. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ConflictError, createStorage, StorageUnavailableError } from '../../src/storage';
import { describeStorageContract } from '../../src/storage/contract';
import { makeClient, makeSigningKey } from '../../src/storage/contract/fixtures';
import { createD1Storage } from '../../src/storage/d1';

describeStorageContract('D1', () => createD1Storage(env.DB));

/** A D1Database whose every statement fails with `message`, as the binding does when D1 is down. */
function failingD1(message: string): D1Database {
  const fail = () => Promise.reject(new Error(message));
  const statement = { bind: () => statement, run: fail, all: fail, raw: fail, first: fail };
  return { prepare: () => statement, batch: fail, exec: fail } as unknown as D1Database;
}

describe('D1 adapter error mapping', () => {
  it('turns a lost connection into StorageUnavailableError, healthcheck included', async () => {
    const storage = createD1Storage(failingD1('D1_ERROR: Network connection lost.'));
    await expect(storage.healthcheck()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(storage.clients.get('x')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(storage.grants.countActive(0)).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('turns a unique violation into ConflictError', async () => {
    const storage = createD1Storage(
      failingD1('D1_ERROR: UNIQUE constraint failed: clients.client_id: SQLITE_CONSTRAINT'),
    );
    await expect(storage.clients.create(makeClient())).rejects.toBeInstanceOf(ConflictError);
  });

  it('maps a failed unit of work the same way, naming the write a constraint error names', async () => {
    const down = createD1Storage(failingD1('D1_ERROR: Network connection lost.'));
    await expect(
      down.atomically((unit) => {
        unit.clients.create(makeClient());
      }),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
    const conflict = createD1Storage(
      failingD1('D1_ERROR: UNIQUE constraint failed: signing_keys.kid: SQLITE_CONSTRAINT'),
    );
    const error = await conflict
      .atomically((unit) => {
        unit.clients.create(makeClient());
        unit.signingKeys.insert(makeSigningKey());
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('signing key already exists');
  });

  it('never puts SQL or bound values in the message of other failures', async () => {
    const storage = createD1Storage(failingD1('D1_ERROR: no such table: users: SQLITE_ERROR'));
    const error = await storage.users.getByUsername('secret-username').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).not.toMatch(/select|secret-username/i);
  });
});

describe('createStorage', () => {
  it('builds the storage once per D1 binding', () => {
    expect(createStorage({ DB: env.DB })).toBe(createStorage(env));
  });

  it('reaches the migrated D1 database', async () => {
    await expect(createStorage(env).healthcheck()).resolves.toBeUndefined();
  });
});
