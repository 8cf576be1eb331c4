/**
 * PostgreSQL adapter inside workerd, against the throwaway cluster of test/postgres/global-setup.ts:
 * the storage contract suites through the local WebSocket proxy and through Miniflare's Hyperdrive,
 * adapter selection, pool lifetime, error mapping, and storage errors crossing an actor boundary.
 */
import { env } from 'cloudflare:test';
import { DrizzleQueryError } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  createStorage,
  InvalidValueError,
  releaseStorage,
  StorageUnavailableError,
} from '../../src/storage';
import { describeStorageContract } from '../../src/storage/contract';
import { listAll, makeAuditEntry, makeClient, makeUser } from '../../src/storage/contract/fixtures';
import { postgresOptions } from '../../src/storage/create-storage';
import { createD1Storage } from '../../src/storage/d1';
import { openPool } from '../../src/storage/pg/driver';
import { translatePgError } from '../../src/storage/pg/errors';
import { viaActor } from '../../worker/wiring/actor-errors';

/** A request-like scope whose pool ends are collected, so the file can wait for them. */
function testScope() {
  const pending: Promise<unknown>[] = [];
  return { pending, waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };
}

const proxyScope = testScope();
const hyperdriveScope = testScope();
/** The contract's own database (see test/postgres/global-setup.ts), through the proxy and through Hyperdrive. */
const contractEnv = { ...env, OAUTH2_DATABASE_URL: env.TEST_PG_CONTRACT_URL };
const withHyperdrive = {
  ...contractEnv,
  OAUTH2_DATABASE_WS_PROXY: undefined,
  HYPERDRIVE: env.TEST_HYPERDRIVE,
};

describeStorageContract('Postgres', () => createStorage(contractEnv, proxyScope));
describeStorageContract('Postgres via Hyperdrive', () => createStorage(withHyperdrive, hyperdriveScope));

afterAll(async () => {
  releaseStorage(proxyScope);
  releaseStorage(hyperdriveScope);
  await Promise.all([...proxyScope.pending, ...hyperdriveScope.pending]);
});

/** Connections the server currently holds for `applicationName` (asked on a connection of its own). */
async function connectionsOf(applicationName: string): Promise<number> {
  const pool = openPool({
    connectionString: contractEnv.OAUTH2_DATABASE_URL,
    transport: { kind: 'ws-proxy', address: env.OAUTH2_DATABASE_WS_PROXY ?? '' },
  });
  try {
    const result = await pool.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
      [applicationName],
    );
    return result.rows[0]?.n ?? -1;
  } finally {
    await pool.end();
  }
}

/** The env with a connection string tagged with `application_name`, to count its connections. */
function tagged(applicationName: string) {
  return {
    ...contractEnv,
    OAUTH2_DATABASE_URL: `${contractEnv.OAUTH2_DATABASE_URL}?application_name=${applicationName}`,
  };
}

describe('createStorage: adapter selection', () => {
  it('picks PostgreSQL for a postgres:// or postgresql:// URL, through the proxy when one is set', () => {
    expect(postgresOptions(env)?.transport).toEqual({
      kind: 'ws-proxy',
      address: env.OAUTH2_DATABASE_WS_PROXY,
    });
    const url = 'postgresql://u:p@db.example.com/oauth2';
    const neon = { DB: env.DB, OAUTH2_DATABASE_URL: url };
    expect(postgresOptions(neon)).toEqual({ connectionString: url, transport: { kind: 'neon' } });
  });

  it('picks D1 when OAUTH2_DATABASE_URL is unset, empty or not a postgres URL', () => {
    for (const url of [undefined, '', '  ', 'mysql://u:p@db/x']) {
      const bindings = { DB: env.DB, OAUTH2_DATABASE_URL: url };
      expect(postgresOptions(bindings)).toBeNull();
      expect(createStorage(bindings)).toBe(createStorage({ DB: env.DB }));
    }
  });

  it('prefers a Hyperdrive binding, over a TCP socket, to OAUTH2_DATABASE_URL', () => {
    expect(postgresOptions(withHyperdrive)).toEqual({
      connectionString: env.TEST_HYPERDRIVE.connectionString,
      transport: { kind: 'tcp' },
    });
  });

  it('writes to PostgreSQL, not to the D1 binding', async () => {
    const client = makeClient();
    await createStorage(contractEnv).clients.create(client);
    expect(await createStorage(withHyperdrive).clients.get(client.clientId)).toEqual(client);
    expect(await createD1Storage(env.DB).clients.get(client.clientId)).toBeNull();
  });
});

describe('Postgres pool lifetime', () => {
  it('a scope shares one pool until released; its end goes to waitUntil; nothing stays open', async () => {
    const name = `scoped_${crypto.randomUUID().slice(0, 8)}`;
    const scope = testScope();
    const storage = createStorage(tagged(name), scope);
    expect(createStorage(tagged(name), scope)).toBe(storage);
    await storage.healthcheck();
    await Promise.all([storage.users.count(), storage.clients.count(), storage.grants.countActive(0)]);
    const open = await connectionsOf(name);
    expect(open).toBeGreaterThanOrEqual(1);
    expect(open).toBeLessThanOrEqual(4);
    expect(scope.pending).toHaveLength(0);
    releaseStorage(scope);
    expect(scope.pending).toHaveLength(1);
    await Promise.all(scope.pending);
    expect(await connectionsOf(name)).toBe(0);
  });

  it('an operation after release gets a pool of its own, also ended through waitUntil', async () => {
    const name = `late_${crypto.randomUUID().slice(0, 8)}`;
    const scope = testScope();
    releaseStorage(scope);
    await createStorage(tagged(name), scope).healthcheck();
    expect(scope.pending).toHaveLength(1);
    await Promise.all(scope.pending);
    expect(await connectionsOf(name)).toBe(0);
  });

  it('without a scope, every operation ends its pool before returning', async () => {
    const name = `unscoped_${crypto.randomUUID().slice(0, 8)}`;
    const storage = createStorage(tagged(name));
    await storage.users.create(makeUser());
    await storage.healthcheck();
    expect(await connectionsOf(name)).toBe(0);
  });
});

describe('Postgres error mapping', () => {
  const driverError = (code: string) => Object.assign(new Error('server said no'), { code });
  const queryError = (cause: unknown) =>
    new DrizzleQueryError('select "secret" from t where x = $1', ['v'], cause as Error);

  it('maps a unique violation (23505) to ConflictError naming only the record kind', () => {
    const error = translatePgError('client', queryError(driverError('23505')));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('client already exists');
  });

  it('maps outages to StorageUnavailableError: connection, resources, shutdown, timeouts, auth', () => {
    for (const code of [
      '08006',
      '08001',
      '53300',
      '57P01',
      '57P03',
      '57014',
      '40001',
      '40P01',
      '28P01',
      '3D000',
    ]) {
      expect(translatePgError('user', queryError(driverError(code))), code).toBeInstanceOf(
        StorageUnavailableError,
      );
    }
    for (const cause of [new Error('Connection terminated unexpectedly'), { type: 'error' }, 'timeout']) {
      expect(translatePgError('user', queryError(cause))).toBeInstanceOf(StorageUnavailableError);
    }
    const connect = new Error('timeout exceeded when trying to connect');
    expect(translatePgError('user', connect)).toBeInstanceOf(StorageUnavailableError);
  });

  it('keeps other failures generic, without SQL or values in the message', () => {
    for (const code of ['22021', '22P05', '54000']) {
      expect(translatePgError('user', queryError(driverError(code))), code).toBeInstanceOf(InvalidValueError);
    }
    for (const code of ['42P01', '23502', '22P02']) {
      const error = translatePgError('user', queryError(driverError(code)));
      expect(error).not.toBeInstanceOf(StorageUnavailableError);
      expect(error.message).toBe('user query failed');
    }
    const bug = new TypeError('x is not a function');
    expect(translatePgError('user', bug)).toBe(bug);
  });

  it('a value PostgreSQL cannot store (NUL in text) is InvalidValueError, without echoing it', async () => {
    const user = makeUser({ name: 'bad\u0000name-secret' });
    const error = await createStorage(contractEnv)
      .users.create(user)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).not.toMatch(/insert|secret|users/i);
    expect(await createStorage(contractEnv).users.getById(user.id)).toBeNull();
  });

  it('an unreachable proxy or an address it refuses is StorageUnavailableError', async () => {
    const refused = { ...contractEnv, OAUTH2_DATABASE_URL: 'postgres://oauth2:x@127.0.0.1:9/oauth2' };
    await expect(createStorage(refused).healthcheck()).rejects.toBeInstanceOf(StorageUnavailableError);
    const noProxy = { ...contractEnv, OAUTH2_DATABASE_WS_PROXY: '127.0.0.1:9' };
    await expect(createStorage(noProxy).clients.get('x')).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});

describe('storage errors across an actor boundary', () => {
  it('a duplicate client_id raised inside the ClientActor reaches the Worker as ConflictError', async () => {
    const client = makeClient();
    const actor = () => env.CLIENT_ACTOR.get(env.CLIENT_ACTOR.idFromName(client.clientId));
    await viaActor(actor().create(client));
    const error = await viaActor(actor().create(client)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toBe('client already exists');
  });
});

describe('values PostgreSQL cannot store (NUL)', () => {
  const storage = () => createStorage(contractEnv);
  const nul = 'has\u0000nul';

  it('lookups by such a value find nothing, as on D1', async () => {
    const s = storage();
    expect(await s.clients.get(nul)).toBeNull();
    expect(await s.clients.delete(nul)).toBe(false);
    expect(await s.users.getById(nul)).toBeNull();
    expect(await s.users.getByUsername(nul)).toBeNull();
    expect(await s.users.delete(nul)).toBe(false);
    expect((await s.users.list({ limit: 5, q: nul })).items).toEqual([]);
    expect(await s.sessions.get(nul, 0)).toBeNull();
    expect(await s.sessions.deleteByUser(nul)).toBe(0);
    expect(await s.consents.listByUser(nul)).toEqual([]);
    expect(await s.grants.markRevoked(nul, 0)).toBe(false);
    expect(await s.signingKeys.setStatus(nul, 'retired', null)).toBe(false);
    expect(await s.denylist.get(nul)).toBeNull();
    expect(await s.events.get(nul)).toBeNull();
  });

  it('a write carrying one throws InvalidValueError, names only the record kind, and writes nothing', async () => {
    const client = makeClient({ metadata: { note: nul } });
    const error = await storage()
      .clients.create(client)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toBe('client has a value the database cannot store');
    expect(await storage().clients.get(client.clientId)).toBeNull();
  });

  it('such a value in a later write of a unit of work undoes the earlier ones (InvalidValueError)', async () => {
    const client = makeClient();
    const entry = makeAuditEntry({ metadata: { note: nul } });
    const error = await storage()
      .atomically((unit) => {
        unit.clients.create(client);
        unit.auditLog.append(entry);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidValueError);
    expect((error as Error).message).toBe('audit entry has a value the database cannot store');
    expect(await storage().clients.get(client.clientId)).toBeNull();
  });
});

describe('Storage.atomically across an actor boundary', () => {
  it('a client and its audit entry written by the ClientActor: both, or neither on a conflict', async () => {
    // The actor writes to the Worker's database (env), not the contract's.
    const s = createStorage(env);
    const client = makeClient();
    const actor = () => env.CLIENT_ACTOR.get(env.CLIENT_ACTOR.idFromName(client.clientId));
    const entry = makeAuditEntry({ targetId: client.clientId });
    await viaActor(actor().create(client, entry));
    expect(await s.clients.get(client.clientId)).toEqual(client);
    // A second create with a fresh audit entry conflicts on the client: that entry is not written either.
    const second = makeAuditEntry({ targetId: client.clientId });
    const error = await viaActor(actor().create(client, second)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    const ids = new Set((await listAll((page) => s.auditLog.list(page))).map((e) => e.id));
    expect(ids.has(entry.id)).toBe(true);
    expect(ids.has(second.id)).toBe(false);
  });
});
