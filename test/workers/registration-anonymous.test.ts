/**
 * Open dynamic registration (OAUTH2_DYNAMIC_REGISTRATION_ENABLED=true) as MCP clients use it: public
 * clients with loopback (any port, RFC 8252 §7.3) and https redirects, scope admin only for public ones, and the
 * scheduled sweep of anonymous registrations that never obtained a token.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage';
import { createApp } from '../../worker/app';
import worker from '../../worker/index';
import { sweepUnusedRegistrations } from '../../worker/jobs/registration-sweep';
import {
  adminToken,
  approveIfAsked,
  Browser,
  basic,
  expectOAuthError,
  ORIGIN,
  post,
  SEED_ADMIN,
} from './helpers';

const TTL = 86_400;
const openEnv = { ...env, OAUTH2_DYNAMIC_REGISTRATION_ENABLED: 'true' };
const app = createApp();

interface Registered {
  client_id: string;
  client_secret?: string;
  registration_access_token: string;
  token_endpoint_auth_method: string;
  scope: string;
  [field: string]: unknown;
}

async function anonymous(metadata: object, vars: object = openEnv): Promise<Response> {
  return app.request(
    `${ORIGIN}/connect/register`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(metadata) },
    vars,
  );
}

async function registered(metadata: object): Promise<Registered> {
  const res = await anonymous(metadata);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Registered;
}

const now = () => Math.floor(Date.now() / 1000);

async function exists(clientId: string): Promise<boolean> {
  return (await createStorage(env).clients.get(clientId)) !== null;
}

describe('Anonymous dynamic registration (RFC 7591, MCP clients)', () => {
  it('is refused without OAUTH2_DYNAMIC_REGISTRATION_ENABLED (401)', async () => {
    const res = await anonymous(
      { redirect_uris: ['http://127.0.0.1/cb'], token_endpoint_auth_method: 'none' },
      env,
    );
    expect(res.status).toBe(401);
  });

  it('registers a public client with a loopback redirect; any port works at the authorization endpoint', async () => {
    const client = await registered({
      client_name: 'Desktop MCP client',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(client.token_endpoint_auth_method).toBe('none');
    expect(client.client_secret).toBeUndefined();
    expect(client.scope.split(' ')).not.toContain('admin');
    // The internal "unused" mark is not registration metadata: never shown.
    expect(client).not.toHaveProperty('anonymous_unused');

    const browser = new Browser();
    expect((await browser.signIn(SEED_ADMIN.username, SEED_ADMIN.password)).status).toBe(303);
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: 'http://127.0.0.1:53177/callback',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const res = await approveIfAsked(browser, await browser.get(`/oauth/authorize?${query}`));
    const location = new URL(res.headers.get('location') as string);
    expect(location.origin).toBe('http://127.0.0.1:53177');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('registers https redirects; refuses plain http off loopback', async () => {
    await registered({
      redirect_uris: ['https://mcp-client.example.com/oauth/callback'],
      token_endpoint_auth_method: 'none',
    });
    const res = await anonymous({
      redirect_uris: ['http://mcp-client.example.com/cb'],
      token_endpoint_auth_method: 'none',
    });
    await expectOAuthError(res, 400, 'invalid_redirect_uri');
  });

  it('registers scope admin for a public client only (it can only ask an administrator for it)', async () => {
    const client = await registered({
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
      scope: 'openid admin',
    });
    expect(client.scope).toBe('openid admin');
    expect(client).not.toHaveProperty('self_registered');
    const confidential = await anonymous({
      redirect_uris: ['http://127.0.0.1/cb'],
      grant_types: ['authorization_code', 'client_credentials'],
      scope: 'openid admin',
    });
    await expectOAuthError(confidential, 400, 'invalid_client_metadata');
  });
});

describe('Expiry of unused anonymous registrations (scheduled sweep)', () => {
  it('deletes anonymous clients without a token after the TTL; keeps used and admin-registered ones', async () => {
    const unused = await registered({ grant_types: ['client_credentials'], client_name: 'never used' });
    const used = await registered({ grant_types: ['client_credentials'], client_name: 'used once' });
    const token = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { Authorization: basic(used.client_id, used.client_secret as string) },
    );
    expect(token.status).toBe(200);
    // A second token needs no further write: the mark is gone from the stored record.
    const stored = await createStorage(env).clients.get(used.client_id);
    expect(stored?.metadata.anonymous_unused).toBeUndefined();
    expect((await createStorage(env).clients.get(unused.client_id))?.metadata.anonymous_unused).toBe(true);

    const byAdmin = await app.request(
      `${ORIGIN}/connect/register`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
        body: JSON.stringify({ grant_types: ['client_credentials'] }),
      },
      openEnv,
    );
    const admin = (await byAdmin.json()) as Registered;

    // Before the TTL: nothing goes.
    expect(await sweepUnusedRegistrations(env, now() + TTL - 60)).not.toContain(unused.client_id);
    expect(await exists(unused.client_id)).toBe(true);

    const deleted = await sweepUnusedRegistrations(env, now() + TTL + 60);
    expect(deleted).toContain(unused.client_id);
    expect(deleted).not.toContain(used.client_id);
    expect(deleted).not.toContain(admin.client_id);
    expect(await exists(unused.client_id)).toBe(false);
    expect(await exists(used.client_id)).toBe(true);
    expect(await exists(admin.client_id)).toBe(true);

    // Deleted through its actor: the client can no longer authenticate, and the deletion is audited.
    const refused = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { Authorization: basic(unused.client_id, unused.client_secret as string) },
    );
    await expectOAuthError(refused, 401, 'invalid_client');
    const audit = await createStorage(env).auditLog.list({ limit: 200 });
    const entry = audit.items.find(
      (item) => item.targetId === unused.client_id && item.action === 'client.delete',
    );
    expect(entry?.actorId).toBe('system');
  });

  it('runs from the Worker’s scheduled handler (Cron Trigger)', async () => {
    const client = await registered({
      redirect_uris: ['http://127.0.0.1/cb'],
      token_endpoint_auth_method: 'none',
    });
    const at = now() + TTL + 120;
    const controller = createScheduledController({ scheduledTime: new Date(at * 1000), cron: '17 * * * *' });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await exists(client.client_id)).toBe(false);
  });

  it('keeps everything when OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS=0', async () => {
    const client = await registered({ grant_types: ['client_credentials'] });
    const never = { ...env, OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS: '0' };
    expect(await sweepUnusedRegistrations(never, now() + 10 * TTL)).toEqual([]);
    expect(await exists(client.client_id)).toBe(true);
  });
});
