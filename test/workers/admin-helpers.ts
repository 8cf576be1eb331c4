/** Helpers for the admin API tests: JSON calls with a token or a session, users, clients and a code-flow grant. */
import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { createApp } from '../../worker/app';
import { adminToken, Browser, basic, inputValue, ORIGIN, pkce, post, SEED_ADMIN } from './helpers';

export interface ApiOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One admin API call through the real Worker (Bearer token when given). */
export function api(method: string, path: string, options: ApiOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(options.body);
  }
  return SELF.fetch(`${ORIGIN}${path}`, { method, headers, body, redirect: 'manual' });
}

/** Asserts the status (showing the body when it differs) and answers the parsed JSON body. */
export async function json<T = Record<string, unknown>>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, `${res.status} ${text}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return JSON.parse(text) as T;
}

/** An admin API client over the bootstrap admin client's token. */
export class AdminApi {
  constructor(readonly token: string) {}

  static async create(): Promise<AdminApi> {
    return new AdminApi(await adminToken());
  }

  call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return api(method, path, { token: this.token, body, headers });
  }

  async get<T = Record<string, unknown>>(path: string): Promise<T> {
    return json<T>(await this.call('GET', path), 200);
  }

  async post<T = Record<string, unknown>>(path: string, body: unknown, status = 201): Promise<T> {
    return json<T>(await this.call('POST', path, body), status);
  }

  async put<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    return json<T>(await this.call('PUT', path, body), 200);
  }

  /**
   * POST through a Worker that lets outbound requests reach loopback (OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP),
   * as a local server does: registers a client whose URLs point at this machine.
   */
  async postAllowingLoopback<T = Record<string, unknown>>(path: string, body: unknown): Promise<T> {
    const res = await createApp().request(
      `${ORIGIN}${path}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body: JSON.stringify(body),
      },
      { ...env, OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true' },
    );
    return json<T>(res, 201);
  }
}

export const unique = (prefix = 'u') => `${prefix}-${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;

export interface TestUser {
  id: string;
  username: string;
  password: string;
  email: string;
}

/** A user created through the admin API. */
export async function createTestUser(
  admin: AdminApi,
  fields: Record<string, unknown> = {},
): Promise<TestUser> {
  const username = unique('user');
  const password = `pw-${crypto.randomUUID()}`;
  const email = `${username}@example.com`;
  const body = await admin.post<{ id: string; username: string }>('/admin/api/users', {
    username,
    password,
    email,
    name: 'Test User',
    ...fields,
  });
  return { id: body.id, username: body.username, password, email };
}

/** A browser signed in as `user` (303 checked). */
export async function signedIn(user: { username: string; password: string }): Promise<Browser> {
  const browser = new Browser();
  const res = await browser.signIn(user.username, user.password);
  expect(res.status, await res.clone().text()).toBe(303);
  return browser;
}

/** A browser signed in as the seed admin, and its session's CSRF token. */
export async function adminSession(): Promise<{ browser: Browser; csrf: string }> {
  const browser = await signedIn(SEED_ADMIN);
  const me = await json<{ csrf_token: string }>(await browser.get('/admin/api/me'), 200);
  return { browser, csrf: me.csrf_token };
}

/** A JSON request of a browser (its cookies), with optional extra headers. */
export function browserJson(
  browser: Browser,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return browser.fetch(path, {
    method,
    headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export interface TestClient {
  client_id: string;
  client_secret?: string;
}

/** A confidential client_credentials client created through the admin API. */
export function createServiceClient(
  admin: AdminApi,
  fields: Record<string, unknown> = {},
): Promise<TestClient> {
  return admin.post<TestClient>('/admin/api/clients', {
    client_name: unique('service'),
    grant_types: ['client_credentials'],
    scope: 'read write',
    ...fields,
  });
}

/** POST /oauth/token with client_credentials for `client`. */
export function clientCredentials(client: TestClient, scope?: string): Promise<Response> {
  return post(
    '/oauth/token',
    { grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
}

/** RFC 7662 introspection by `client`: whether the token is active. */
export async function isActive(token: string, client: TestClient): Promise<boolean> {
  const res = await post(
    '/oauth/introspect',
    { token },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
  const body = await json<{ active: boolean }>(res, 200);
  return body.active;
}

const REDIRECT = 'https://console.example.com/cb';

/** A first-party web client (no consent screen) for the authorization code flow. */
export function createWebClient(admin: AdminApi, fields: Record<string, unknown> = {}): Promise<TestClient> {
  return admin.post<TestClient>('/admin/api/clients', {
    client_name: unique('web'),
    redirect_uris: [REDIRECT],
    grant_types: ['authorization_code', 'refresh_token'],
    scope: 'openid profile email offline_access read',
    first_party: true,
    ...fields,
  });
}

export interface CodeFlowTokens {
  access_token: string;
  refresh_token?: string;
  grantId: string;
}

/** Signs `user` in and runs the authorization code flow with PKCE for `client`: a grant and its tokens. */
export async function codeFlow(
  client: TestClient,
  user: { username: string; password: string },
  scope = 'openid read offline_access',
  browser?: Browser,
): Promise<CodeFlowTokens> {
  const agent = browser ?? (await signedIn(user));
  const { verifier, challenge } = await pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  let authorized = await agent.get(`/oauth/authorize?${query}`);
  if (authorized.status === 200) {
    // The consent page: shown even to a first-party client when scope admin is asked for.
    const page = await authorized.text();
    authorized = await agent.postForm('/oauth/consent', {
      csrf_token: inputValue(page, 'csrf_token') as string,
      request_id: inputValue(page, 'request_id') as string,
      decision: 'approve',
    });
  }
  expect([302, 303], await authorized.clone().text()).toContain(authorized.status);
  const code = new URL(authorized.headers.get('location') ?? '').searchParams.get('code');
  expect(code, authorized.headers.get('location') ?? '').toBeTruthy();
  const res = await post(
    '/oauth/token',
    {
      grant_type: 'authorization_code',
      code: code as string,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    },
    { Authorization: basic(client.client_id, client.client_secret ?? '') },
  );
  const tokens = await json<{ access_token: string; refresh_token?: string }>(res, 200);
  const payload = JSON.parse(
    atob((tokens.access_token.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')),
  ) as {
    jti: string;
  };
  return { ...tokens, grantId: payload.jti.split('.')[0] as string };
}

/** A fetch through a fresh app with extra configuration (a new env object: fresh per-isolate caches). */
export function configuredFetch(vars: Record<string, string>) {
  const app = createApp();
  const configured = { ...env, ...vars };
  return (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, configured);
}

/**
 * The newest audit entries (or events) matching `predicate`, walking `path` by cursor (pages of 200, at
 * most `maxPages`): other test files write to the same log concurrently.
 */
export async function findListed<T>(
  admin: AdminApi,
  path: string,
  predicate: (item: T) => boolean,
  maxPages = 10,
): Promise<T[]> {
  const found: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const query = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const listed: { items: T[]; next_cursor: string | null } = await admin.get(
      `${path}${separator}limit=200${query}`,
    );
    found.push(...listed.items.filter(predicate));
    cursor = listed.next_cursor;
    if (cursor === null) break;
  }
  return found;
}
