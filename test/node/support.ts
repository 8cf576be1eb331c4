/**
 * Shared helpers for the Node end-to-end tests (test/node/**): the built Worker under Miniflare
 * (bench/lib/server.mjs), admin API calls over HTTP, and a tiny cookie-keeping user agent that drives the
 * sign-in and consent forms without following redirects.
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { expect } from 'vitest';

export interface TestServer {
  url: string;
  adminClientId: string;
  adminClientSecret: string;
  /** The seed admin user's credentials (OAUTH2_SEED_USERNAME / a random OAUTH2_SEED_PASSWORD). */
  seedAdmin: { username: string; password: string };
  stop(): Promise<void>;
}
type StartServer = (options?: { port?: number; vars?: Record<string, string> }) => Promise<TestServer>;

/** Loopback redirect URI (RFC 8252 §7.3); nothing listens there, the tests read the Location header. */
export const REDIRECT_URI = 'http://127.0.0.1:49152/cb';

/** openid-client refuses http:// issuers unless told otherwise; the servers listen on 127.0.0.1 only. */
export const insecure = { execute: [client.allowInsecureRequests] };

/**
 * The OAuth `error` a call was refused with: from openid-client's ResponseBodyError, or from the body of a
 * 401 it reports as a WWW-Authenticate challenge (the server's invalid_client carries a Basic challenge).
 */
export async function oauthRejection(
  promise: Promise<unknown>,
): Promise<{ error?: string; status?: number }> {
  const e = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason as { error?: string; status?: number; response?: Response },
  );
  if (e.error !== undefined || !e.response) return e;
  const body = (await e.response.clone().json()) as { error?: string };
  return { error: body.error, status: e.status };
}

/** The payload of a JWT (not verified here). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

/**
 * A relying party's back channel after a browser flow: redeems `code` at `origin` (Basic authentication)
 * and answers the verified ID token's payload (issuer `origin`, audience the client).
 */
export async function redeemForIdToken(
  origin: string,
  registered: RegisteredClient,
  exchange: { code: string; redirectUri: string; verifier: string },
): Promise<JWTPayload> {
  const res = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: basic(registered.client_id, String(registered.client_secret)),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: exchange.code,
      redirect_uri: exchange.redirectUri,
      code_verifier: exchange.verifier,
    }),
  });
  const body = await res.text();
  expect(res.status, body).toBe(200);
  const jwks = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
  const { id_token } = JSON.parse(body) as { id_token: string };
  return (await jwtVerify(id_token, jwks, { issuer: origin, audience: registered.client_id })).payload;
}

/** The harness is plain ESM JS shared with the benchmark; imported by URL so it needs no .d.ts. */
const HARNESS = new URL('../../bench/lib/server.mjs', import.meta.url).href;

export async function startServer(vars: Record<string, string> = {}): Promise<TestServer> {
  const harness = (await import(HARNESS)) as { startServer: StartServer };
  // The suites sign the seed admin in with a password only; a suite may turn the policy on in `vars`.
  return harness.startServer({ vars: { OAUTH2_MFA_REQUIRED_FOR_ADMINS: 'false', ...vars } });
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** An admin-scoped access token of the bootstrap admin client (client_credentials). */
export async function adminToken(server: TestServer): Promise<string> {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: basic(server.adminClientId, server.adminClientSecret),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'admin' }),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

async function postJson(url: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, `POST ${new URL(url).pathname}: ${text}`).toBe(201);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface TestUser {
  id: string;
  username: string;
  password: string;
  email: string;
  name: string;
}

/** Creates a user through `POST /admin/api/users`. */
export async function createUser(server: TestServer, token: string): Promise<TestUser> {
  const username = `user-${crypto.randomUUID().slice(0, 8)}`;
  const user = {
    username,
    password: `pw-${crypto.randomUUID()}`,
    email: `${username}@example.com`,
    name: 'Ada Lovelace',
  };
  const created = await postJson(`${server.url}/admin/api/users`, token, user);
  expect(typeof created.id).toBe('string');
  return { id: created.id as string, ...user };
}

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  [key: string]: unknown;
}

/** openid-client's configuration from `server`'s discovery, for `registered` authenticating with its secret (Basic). */
export function discoverAsClient(
  server: TestServer,
  registered: RegisteredClient,
): Promise<client.Configuration> {
  return client.discovery(
    new URL(server.url),
    registered.client_id,
    undefined,
    client.ClientSecretBasic(String(registered.client_secret)),
    insecure,
  );
}

/** RFC 7591 registration with the admin token as initial access token. */
export async function registerClient(
  server: TestServer,
  token: string,
  metadata: Record<string, unknown>,
): Promise<RegisteredClient> {
  const registered = await postJson(`${server.url}/connect/register`, token, metadata);
  expect(typeof registered.client_id).toBe('string');
  return registered as RegisteredClient;
}

/** The value attributes of every `<input name=… value=…>` of an HTML page, entity-decoded. */
export function formInputs(html: string): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined && value !== undefined) inputs[decodeEntities(name)] = decodeEntities(value);
  }
  return inputs;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A cookie-keeping user agent over fetch: never follows redirects, keeps (and deletes) cookies by name. */
export class CookieAgent {
  readonly cookies = new Map<string, string>();

  constructor(readonly origin: string) {}

  async fetch(target: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = new URL(target, this.origin);
    const headers = new Headers(init.headers);
    if (url.origin === this.origin && this.cookies.size > 0) {
      headers.set('Cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const header of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  postForm(target: string | URL, form: Record<string, string>): Promise<Response> {
    return this.fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
  }
}

/** The absolute URL of a redirect response's Location. */
export function location(res: Response, base: string): URL {
  const value = res.headers.get('location');
  expect(value, `status ${res.status} without Location`).toBeTruthy();
  return new URL(value as string, base);
}

/**
 * Plays the user's part of an authorization request: opens `authorizationUrl`, signs in on the login form,
 * approves on the consent page, and returns the callback URL the server redirects to (not fetched).
 */
export async function signInAndApprove(
  agent: CookieAgent,
  authorizationUrl: URL,
  user: { username: string; password: string },
): Promise<URL> {
  const origin = agent.origin;
  const authorize = await agent.fetch(authorizationUrl);
  expect(authorize.status, await authorize.clone().text()).toBe(302);
  const loginUrl = location(authorize, origin);
  expect(loginUrl.pathname).toBe('/auth/login');
  expect(loginUrl.searchParams.get('return_to')?.startsWith('/oauth/authorize?')).toBe(true);

  const loginPage = await agent.fetch(loginUrl);
  const loginHtml = await loginPage.text();
  expect(loginPage.status, loginHtml).toBe(200);
  const loginForm = formInputs(loginHtml);
  expect(loginForm.csrf_token, 'csrf_token on the login page').toBeTruthy();
  const signedIn = await agent.postForm('/auth/login', {
    ...loginForm,
    username: user.username,
    password: user.password,
  });
  expect(signedIn.status, await signedIn.clone().text()).toBe(303);
  const back = location(signedIn, origin);
  expect(back.pathname).toBe('/oauth/authorize');

  const consent = await agent.fetch(back);
  const consentHtml = await consent.text();
  expect(consent.status, consentHtml).toBe(200);
  expect(consentHtml).toContain('name="decision"');
  const consentForm = formInputs(consentHtml);
  expect(consentForm.csrf_token, 'csrf_token on the consent page').toBeTruthy();
  expect(consentForm.request_id, 'request_id on the consent page').toBeTruthy();
  const action = /<form[^>]*\baction="([^"]*)"/.exec(consentHtml)?.[1] ?? '/oauth/consent';
  const approved = await agent.postForm(decodeEntities(action), {
    csrf_token: consentForm.csrf_token as string,
    request_id: consentForm.request_id as string,
    decision: 'approve',
  });
  expect(approved.status, await approved.clone().text()).toBe(303);
  return location(approved, origin);
}
