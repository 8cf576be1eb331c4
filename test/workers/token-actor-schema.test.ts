/**
 * TokenActor storage: a new object gets every column at once, an object created by an earlier version
 * (tables without the columns added since) gets the missing ones on its next start and keeps its rows,
 * and an opaque access token is stored in one statement with its grant checked for revocation.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { TokenActor } from '../../durable-objects/token-actor';
import type { StoredAccessToken } from '../../src/oauth/ports';

const NOW = Math.floor(Date.now() / 1000);

/** The tables as the first version of the actor created them. */
const FIRST_VERSION = `
  CREATE TABLE grants (grant_id TEXT PRIMARY KEY, revoked_at INTEGER, expires_at INTEGER NOT NULL);
  CREATE TABLE access_tokens (
    hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, jti TEXT NOT NULL, client_id TEXT NOT NULL,
    sub TEXT NOT NULL, scope TEXT NOT NULL, aud TEXT NOT NULL, issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE refresh_families (
    grant_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, user_id TEXT NOT NULL, scope TEXT NOT NULL,
    auth_time INTEGER NOT NULL, sid TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  );
  CREATE TABLE refresh_tokens (
    hash TEXT PRIMARY KEY, grant_id TEXT NOT NULL, generation INTEGER NOT NULL, issued_at INTEGER NOT NULL,
    rotated_at INTEGER, successor_hash TEXT
  );
`;

function columns(state: DurableObjectState, table: string): string[] {
  return state.storage.sql
    .exec<{ name: string }>(`PRAGMA table_info(${table})`)
    .toArray()
    .map((row) => row.name);
}

function token(hash: string, extra: Partial<StoredAccessToken> = {}): StoredAccessToken {
  return {
    hash,
    jti: `${hash}.jti`,
    clientId: 'schema-client',
    sub: 'schema-client',
    scope: 'read',
    aud: ['schema-client'],
    issuedAt: NOW,
    expiresAt: NOW + 600,
    ...extra,
  };
}

describe('TokenActor storage', () => {
  it('a new object has every column and stores an opaque token with its act and DPoP binding', async () => {
    const stub = env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName('schema-new'));
    await runInDurableObject(stub, async (instance: TokenActor, state) => {
      expect(columns(state, 'access_tokens')).toEqual(expect.arrayContaining(['act', 'jkt']));
      expect(columns(state, 'refresh_families')).toEqual(
        expect.arrayContaining(['resources', 'jkt', 'sign_in']),
      );
      const act = { sub: 'actor-client', client_id: 'actor-client' };
      expect(await instance.storeAccessToken('g-new', token('h-new', { act, jkt: 'thumbprint' }))).toBe(true);
      expect(await instance.findAccessToken('g-new', 'h-new', NOW)).toMatchObject({ act, jkt: 'thumbprint' });
    });
  });

  it('an object created by the first version gets the added columns and keeps its rows', async () => {
    const stub = env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName('schema-old'));
    await runInDurableObject(stub, async (_instance: TokenActor, state) => {
      const sql = state.storage.sql;
      for (const table of ['grants', 'access_tokens', 'refresh_families', 'refresh_tokens']) {
        sql.exec(`DROP TABLE ${table}`);
      }
      sql.exec(FIRST_VERSION);
      sql.exec(
        `INSERT INTO access_tokens VALUES ('h-old', 'g-old', 'j', 'c', 'c', 'read', '["c"]', ?, ?)`,
        NOW,
        NOW + 600,
      );
      const restarted = new TokenActor(state, env);
      expect(columns(state, 'access_tokens')).toEqual(expect.arrayContaining(['act', 'jkt']));
      expect(columns(state, 'refresh_families')).toEqual(
        expect.arrayContaining(['resources', 'jkt', 'sign_in']),
      );
      expect(await restarted.findAccessToken('g-old', 'h-old', NOW)).toMatchObject({
        jti: 'j',
        scope: 'read',
      });
      expect(await restarted.storeAccessToken('g-old', token('h-next', { jkt: 'thumbprint' }))).toBe(true);
      expect(await restarted.findAccessToken('g-old', 'h-next', NOW)).toMatchObject({ jkt: 'thumbprint' });
    });
  });

  it('refuses to store a token in a revoked grant, and the grant stays revoked', async () => {
    const stub = env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName('schema-revoked'));
    await runInDurableObject(stub, async (instance: TokenActor) => {
      await instance.revoke('g-revoked', NOW + 600);
      expect(await instance.storeAccessToken('g-revoked', token('h-revoked'))).toBe(false);
      expect(await instance.isRevoked('g-revoked')).toBe(true);
      expect(await instance.findAccessToken('g-revoked', 'h-revoked', NOW)).toBeNull();
    });
  });
});
