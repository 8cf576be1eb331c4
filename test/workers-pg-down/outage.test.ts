/**
 * The whole Worker with its PostgreSQL unreachable (project `workers-pg-down`: OAUTH2_DATABASE_URL and
 * the WebSocket proxy point at closed loopback ports, for the Worker and every Durable Object alike).
 * Outages answer 503 `service_unavailable` with Retry-After, never 500, including errors raised inside
 * an actor and passed back over RPC.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createStorage, StorageUnavailableError } from '../../src/storage';
import { makeAuditEntry, makeClient } from '../../src/storage/contract/fixtures';
import { ADMIN_ID, ADMIN_SECRET, basic, expectOAuthError, get, post } from '../workers/helpers';

async function expectOutage(res: Response): Promise<void> {
  await expectOAuthError(res, 503, 'service_unavailable');
  expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe('PostgreSQL down', () => {
  it('the storage reports StorageUnavailableError, healthcheck included', async () => {
    const storage = createStorage(env);
    await expect(storage.healthcheck()).rejects.toBeInstanceOf(StorageUnavailableError);
    const error = await storage.users.getByUsername('someone-secret').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toBe('storage is unavailable');
  });

  it('a unit of work fails whole with StorageUnavailableError', async () => {
    const storage = createStorage(env);
    const error = await storage
      .atomically((unit) => {
        unit.clients.create(makeClient());
        unit.auditLog.append(makeAuditEntry());
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toBe('storage is unavailable');
  });

  it('GET /health still answers 200 (liveness does not depend on the database)', async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it('GET /ready answers 503 with Retry-After', async () => {
    const res = await get('/ready');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { database: 'error' } });
  });

  it('a token request answers 503 when the signing keys cannot be loaded (KeyRing actor)', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'admin' },
      { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
    );
    await expectOutage(res);
  });

  it('a token request answers 503 when the client cannot be read (ClientActor)', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { Authorization: basic('some-registered-client', 'x'.repeat(43)) },
    );
    await expectOutage(res);
  });

  it('a browser page with a session cookie answers a 503 page, not a 500', async () => {
    const res = await get('/profile', { Cookie: 'session=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
