/**
 * RFC 8707 resource indicators on the authorization and token endpoints: invalid_target, audience-
 * restricted access tokens, narrowing at the token endpoint and on refresh, introspection of `aud`,
 * and this server's own endpoints refusing tokens meant for another resource.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { basic, expectOAuthError, inputValue, ORIGIN, parseSetCookies, uniqueIp } from './helpers';

const API = 'https://api.example.com/v1';
const OTHER = 'https://other.example.com';
const MCP = `${ORIGIN}/mcp`;
const REDIRECT = 'https://app.example.com/callback';

const configured = {
  ...env,
  OAUTH2_PROTECTED_RESOURCES: JSON.stringify([
    { resource: API, scopes_supported: ['read', 'write'], name: 'Example API' },
    { resource: OTHER },
    { resource: `${ORIGIN}/reports`, scopes_supported: ['read'] },
  ]),
};
const app = createApp();

function call(path: string, init: RequestInit = {}, vars: object = configured): Promise<Response> {
  return Promise.resolve(app.request(`${ORIGIN}${path}`, init, vars));
}

function postForm(path: string, form: string | Record<string, string>, headers: Record<string, string> = {}) {
  return call(path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'CF-Connecting-IP': '203.0.113.7',
      ...headers,
    },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
  });
}

const adminBasic = basic(env.OAUTH2_ADMIN_CLIENT_ID, env.OAUTH2_ADMIN_CLIENT_SECRET ?? '');

async function adminToken(): Promise<string> {
  const res = await postForm(
    '/oauth/token',
    { grant_type: 'client_credentials', scope: 'admin' },
    { Authorization: adminBasic },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

function claims(jwt: string): Record<string, unknown> {
  const part = (jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(atob(part)) as Record<string, unknown>;
}

async function pkce() {
  const encode = (bytes: Uint8Array) =>
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const verifier = encode(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = encode(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  return { verifier, challenge };
}

/** A cookie-keeping user agent over the configured app. */
class Agent {
  readonly cookies = new Map<string, string>();
  readonly ip = uniqueIp();

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', this.ip);
    if (this.cookies.size > 0)
      headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await call(path, { ...init, headers, redirect: 'manual' });
    for (const cookie of parseSetCookies(res)) {
      if (cookie.attributes.get('max-age') === '0' || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return res;
  }

  post(path: string, form: Record<string, string>) {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  async signIn(username: string, password: string): Promise<void> {
    const page = await this.fetch('/auth/login');
    const csrf = inputValue(await page.text(), 'csrf_token') as string;
    const res = await this.post('/auth/login', { username, password, csrf_token: csrf });
    expect(res.status).toBe(303);
  }

  /** GET /oauth/authorize with `query` (a string keeps repeated parameters), approving consent; the redirect. */
  async authorize(query: string): Promise<URL> {
    let res = await this.fetch(`/oauth/authorize?${query}`);
    if (res.status === 200) {
      const html = await res.text();
      res = await this.post('/oauth/consent', {
        csrf_token: inputValue(html, 'csrf_token') as string,
        request_id: inputValue(html, 'request_id') as string,
        decision: 'approve',
      });
    }
    const location = res.headers.get('location');
    expect(location, `status ${res.status}`).toBeTruthy();
    return new URL(location as string);
  }
}

interface Client {
  client_id: string;
  client_secret: string;
}

let client: Client;
let machine: Client;
let user: { id: string; username: string; password: string };

beforeAll(async () => {
  const token = await adminToken();
  const register = async (metadata: object) => {
    const res = await call('/connect/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(metadata),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Client;
  };
  client = await register({
    client_name: 'Resource app',
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid offline_access read write',
  });
  machine = await register({ grant_types: ['client_credentials'], scope: 'read write' });
  const username = `rs-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await call('/admin/api/users', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ username, password, email: `${username}@example.com` }),
  });
  expect(res.status).toBe(201);
  user = { id: ((await res.json()) as { id: string }).id, username, password };
});

async function codeFor(resources: string[], scope = 'openid offline_access read') {
  const agent = new Agent();
  await agent.signIn(user.username, user.password);
  const { verifier, challenge } = await pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: 's1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  for (const resource of resources) query.append('resource', resource);
  const redirect = await agent.authorize(query.toString());
  return { redirect, verifier };
}

function redeem(code: string, verifier: string, resources: string[] = []) {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: REDIRECT,
  });
  for (const resource of resources) form.append('resource', resource);
  return postForm('/oauth/token', form.toString(), {
    Authorization: basic(client.client_id, client.client_secret),
  });
}

function refresh(token: string, resources: string[] = []) {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token });
  for (const resource of resources) form.append('resource', resource);
  return postForm('/oauth/token', form.toString(), {
    Authorization: basic(client.client_id, client.client_secret),
  });
}

function clientCredentials(resources: string[], extra: Record<string, string> = {}) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...extra });
  for (const resource of resources) form.append('resource', resource);
  return postForm('/oauth/token', form.toString(), {
    Authorization: basic(machine.client_id, machine.client_secret),
  });
}

describe('Resource Indicators (RFC 8707) at the authorization endpoint', () => {
  it.each([
    ['an unknown resource', ['https://unknown.example.com']],
    ['a relative URI', ['/api']],
    ['a URI with a fragment', [`${API}#frag`]],
    ['one unknown among known ones', [API, 'https://evil.example.com']],
  ])('redirects invalid_target for %s, with state and iss', async (_, resources) => {
    const { redirect } = await codeFor(resources);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(REDIRECT);
    expect(redirect.searchParams.get('error')).toBe('invalid_target');
    expect(redirect.searchParams.get('state')).toBe('s1');
    expect(redirect.searchParams.get('iss')).toBe(ORIGIN);
    expect(redirect.searchParams.get('code')).toBeNull();
  });

  it('accepts a repeated resource parameter and restricts the token to those resources', async () => {
    const { redirect, verifier } = await codeFor([API, MCP]);
    const code = redirect.searchParams.get('code') as string;
    const res = await redeem(code, verifier);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { access_token: string };
    expect(claims(body.access_token).aud).toEqual([API, MCP]);
  });
});

describe('Resource Indicators (RFC 8707) at the token endpoint', () => {
  it('narrows the audience of the code to one of its resources', async () => {
    const { redirect, verifier } = await codeFor([API, OTHER]);
    const res = await redeem(redirect.searchParams.get('code') as string, verifier, [OTHER]);
    expect(res.status).toBe(200);
    expect(claims(((await res.json()) as { access_token: string }).access_token).aud).toBe(OTHER);
  });

  it('answers invalid_target for a resource the code was not granted, without burning the code', async () => {
    const { redirect, verifier } = await codeFor([API]);
    const code = redirect.searchParams.get('code') as string;
    await expectOAuthError(await redeem(code, verifier, [MCP]), 400, 'invalid_target');
    await expectOAuthError(
      await redeem(code, verifier, ['https://unknown.example.com']),
      400,
      'invalid_target',
    );
    const res = await redeem(code, verifier, [API]);
    expect(res.status).toBe(200);
  });

  it('keeps the client as audience when no resource is named anywhere', async () => {
    const { redirect, verifier } = await codeFor([]);
    const res = await redeem(redirect.searchParams.get('code') as string, verifier);
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect(claims(token).aud).toBe(client.client_id);
  });

  it('refresh: narrows within the granted resources; anything else is invalid_target and keeps the token', async () => {
    const { redirect, verifier } = await codeFor([API, OTHER]);
    const first = (await (await redeem(redirect.searchParams.get('code') as string, verifier)).json()) as {
      refresh_token: string;
    };
    await expectOAuthError(await refresh(first.refresh_token, [MCP]), 400, 'invalid_target');
    await expectOAuthError(await refresh(first.refresh_token, [`${API}#x`]), 400, 'invalid_target');
    // Not consumed by the refused requests: it still rotates.
    const narrowed = await refresh(first.refresh_token, [API]);
    expect(narrowed.status, await narrowed.clone().text()).toBe(200);
    const next = (await narrowed.json()) as { access_token: string; refresh_token: string };
    expect(claims(next.access_token).aud).toBe(API);
    // The family keeps all its resources.
    const full = (await (await refresh(next.refresh_token)).json()) as { access_token: string };
    expect(claims(full.access_token).aud).toEqual([API, OTHER]);
  });

  it('client_credentials: audience = the resources, repeated or not; the client when none', async () => {
    const one = (await (await clientCredentials([API], { scope: 'read' })).json()) as {
      access_token: string;
    };
    expect(claims(one.access_token).aud).toBe(API);
    const two = (await (await clientCredentials([API, OTHER])).json()) as { access_token: string };
    expect(claims(two.access_token).aud).toEqual([API, OTHER]);
    const none = (await (await clientCredentials([])).json()) as { access_token: string };
    expect(claims(none.access_token).aud).toBe(machine.client_id);
  });

  it.each([
    ['unknown', ['https://unknown.example.com']],
    ['with a fragment', [`${API}#f`]],
    ['not absolute', ['api.example.com/v1']],
    ['with a space', ['https://api.example.com/a b']],
    ['too many', Array.from({ length: 11 }, (_, i) => `${API}/${i}`)],
  ])('client_credentials: invalid_target for a resource %s', async (_, resources) => {
    await expectOAuthError(await clientCredentials(resources), 400, 'invalid_target');
  });

  it('introspection reports the audience', async () => {
    const token = ((await (await clientCredentials([API, OTHER])).json()) as { access_token: string })
      .access_token;
    const res = await postForm(
      '/oauth/introspect',
      { token },
      { Authorization: basic(machine.client_id, machine.client_secret) },
    );
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.active).toBe(true);
    expect(body.aud).toEqual([API, OTHER]);
  });

  it('opaque tokens carry the audience too', async () => {
    const opaque = { ...configured, OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' };
    const form = new URLSearchParams({ grant_type: 'client_credentials', resource: API });
    const res = await call(
      '/oauth/token',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic(machine.client_id, machine.client_secret),
        },
        body: form.toString(),
      },
      opaque,
    );
    const token = ((await res.json()) as { access_token: string }).access_token;
    expect(token.startsWith('oat_')).toBe(true);
    const info = await call(
      '/oauth/introspect',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic(machine.client_id, machine.client_secret),
        },
        body: new URLSearchParams({ token }).toString(),
      },
      opaque,
    );
    expect(((await info.json()) as { aud: unknown }).aud).toBe(API);
  });
});

describe('Audience restriction at this server’s own endpoints', () => {
  async function userToken(resources: string[]) {
    const { redirect, verifier } = await codeFor(resources, 'openid read');
    const res = await redeem(redirect.searchParams.get('code') as string, verifier);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('UserInfo refuses a token for another resource (401 invalid_token) and accepts the server’s own', async () => {
    const foreign = await call('/oauth/userinfo', {
      headers: { Authorization: `Bearer ${await userToken([API])}` },
    });
    await expectOAuthError(foreign, 401, 'invalid_token');
    const own = await call('/oauth/userinfo', {
      headers: { Authorization: `Bearer ${await userToken([ORIGIN])}` },
    });
    expect(own.status).toBe(200);
    const plain = await call('/oauth/userinfo', {
      headers: { Authorization: `Bearer ${await userToken([])}` },
    });
    expect(plain.status).toBe(200);
  });

  it('the admin API refuses an admin-scoped token restricted to another resource', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin', resource: API });
    const res = await postForm('/oauth/token', form.toString(), { Authorization: adminBasic });
    const token = ((await res.json()) as { access_token: string }).access_token;
    await expectOAuthError(
      await call('/admin/api/clients', { headers: { Authorization: `Bearer ${token}` } }),
      401,
      'invalid_token',
    );
  });
});

describe('OAUTH2_PROTECTED_RESOURCES', () => {
  it.each([
    ['not JSON', '[{'],
    ['not an array', '{"resource":"https://a.example"}'],
    ['a relative resource', '[{"resource":"/api"}]'],
    ['a resource with a fragment', '[{"resource":"https://a.example/#x"}]'],
    ['an unknown field', '[{"resource":"https://a.example","scope":"x"}]'],
    ['a duplicate', '[{"resource":"https://a.example"},{"resource":"https://a.example"}]'],
    ['a bad scope', '[{"resource":"https://a.example","scopes_supported":["a b"]}]'],
  ])('refuses %s (503 naming the setting)', async (_, value) => {
    const res = await call('/health', {}, { ...env, OAUTH2_PROTECTED_RESOURCES: value });
    const body = (await res.json()) as { error: string; error_description: string };
    expect(res.status).toBe(503);
    expect(body.error).toBe('server_misconfigured');
    expect(body.error_description).toContain('OAUTH2_PROTECTED_RESOURCES');
  });
});
