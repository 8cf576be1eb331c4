/** Black-box helpers: requests through the real Worker (SELF), RFC error assertions. */
import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { createApp } from '../../worker/app';

export const ORIGIN = 'http://localhost';
export const ADMIN_ID = env.OAUTH2_ADMIN_CLIENT_ID;
export const ADMIN_SECRET = env.OAUTH2_ADMIN_CLIENT_SECRET ?? '';

export function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

export function post(
  path: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export function get(path: string, headers: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, { headers });
}

/** Asserts an RFC 6749 §5.2-style error response and returns its body. */
export async function expectOAuthError(res: Response, status: number, error: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  return body;
}

/** A client_credentials token for the bootstrap admin client. */
export async function adminToken(scope = 'admin'): Promise<string> {
  const res = await post(
    '/oauth/token',
    { grant_type: 'client_credentials', scope },
    {
      Authorization: basic(ADMIN_ID, ADMIN_SECRET),
    },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

export type Poster = typeof post;

/** `post` against the same Worker with extra configuration (a fresh env object re-parses the config). */
export function postWith(vars: Record<string, string>): Poster {
  const app = createApp();
  const configured = { ...env, ...vars };
  return async (path, form, headers = {}) =>
    app.request(
      `${ORIGIN}${path}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
      },
      configured,
    );
}

/** One Set-Cookie header, parsed: name, value and lower-cased attribute names (flags map to ''). */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string>;
}

export function parseSetCookies(res: Response): SetCookie[] {
  return res.headers.getSetCookie().map((header) => {
    const [pair = '', ...rest] = header.split(';');
    const eq = pair.indexOf('=');
    const attributes = new Map<string, string>();
    for (const part of rest) {
      const [key = '', ...value] = part.trim().split('=');
      attributes.set(key.toLowerCase(), value.join('='));
    }
    return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
  });
}

/** The value of the hidden (or any) `<input name=…>` of an HTML page, entity-decoded. */
export function inputValue(html: string, name: string): string | undefined {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];
  const value = tag === undefined ? undefined : /\bvalue="([^"]*)"/.exec(tag)?.[1];
  return value
    ?.replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

let ipCounter = 0;

/** A distinct documentation-range client address (RFC 5737), so login throttling never spills across tests. */
export function uniqueIp(): string {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

/** How a Browser reaches the Worker: SELF, or an app with its own configuration. */
export type Send = (url: string, init: RequestInit) => Promise<Response>;

/**
 * A cookie-carrying user agent over SELF (or `send`): keeps the cookies it is given (Max-Age=0
 * deletes), never follows redirects, and sends its own CF-Connecting-IP.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  constructor(
    readonly origin = ORIGIN,
    readonly ip = uniqueIp(),
    readonly send: Send = (url, init) => SELF.fetch(url, init),
  ) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', this.ip);
    if (this.cookies.size > 0) {
      headers.set('Cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const res = await this.send(`${this.origin}${path}`, { ...init, headers, redirect: 'manual' });
    for (const cookie of parseSetCookies(res)) {
      if (cookie.attributes.get('max-age') === '0' || cookie.value === '') this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    return res;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.fetch(path, { headers });
  }

  postForm(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Opens the login page (any query) and returns its CSRF token. */
  async loginToken(query = ''): Promise<string> {
    const res = await this.get(`/auth/login${query}`);
    const html = await res.text();
    expect(res.status, html).toBe(200);
    const token = inputValue(html, 'csrf_token');
    expect(token).toBeTruthy();
    return token as string;
  }

  /** Fills in and submits the login form (shown even when signed in); answers the POST's response. */
  async signIn(username: string, password: string, returnTo?: string): Promise<Response> {
    const csrf = await this.loginToken('?prompt=login');
    return this.postForm('/auth/login', {
      username,
      password,
      csrf_token: csrf,
      ...(returnTo === undefined ? {} : { return_to: returnTo }),
    });
  }

  /** The CSRF token of a page this browser can see (profile, consent, ...). */
  async tokenOf(path: string): Promise<string> {
    const res = await this.get(path);
    const token = inputValue(await res.text(), 'csrf_token');
    expect(token, `csrf_token on ${path}`).toBeTruthy();
    return token as string;
  }
}

/** The seed admin's credentials (vitest.config.ts TEST_VARS). */
export const SEED_ADMIN = {
  username: env.OAUTH2_SEED_USERNAME ?? 'admin',
  password: env.OAUTH2_SEED_PASSWORD ?? '',
};

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** A fresh RFC 7636 S256 pair: a 43-character verifier and its challenge. */
export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

/** A client registered through RFC 7591 with the admin token as initial access token (201 expected). */
export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
}

export async function registerClient(metadata: Record<string, unknown>): Promise<RegisteredClient> {
  const res = await postJson('/connect/register', metadata, {
    Authorization: `Bearer ${await adminToken()}`,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as RegisteredClient;
}

/** A Browser signed in as a new user (created through the admin API) named `${prefix}-<random>`. */
export async function signedInBrowser(prefix: string): Promise<Browser> {
  const username = `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await postJson(
    '/admin/api/users',
    { username, password, email: `${username}@example.com` },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status).toBe(201);
  const browser = new Browser();
  expect((await browser.signIn(username, password)).status).toBe(303);
  return browser;
}

export function authorizePath(params: Record<string, string>): string {
  return `/oauth/authorize?${new URLSearchParams(params)}`;
}

/** An authorization response, after approving on the consent page when `res` is that page (200). */
export async function approveIfAsked(browser: Browser, res: Response): Promise<Response> {
  if (res.status !== 200) return res;
  const html = await res.text();
  return browser.postForm('/oauth/consent', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    request_id: inputValue(html, 'request_id') as string,
    decision: 'approve',
  });
}

/** authorize → (consent approve) → the redirect to the client (302 or 303). */
export async function authorizeAndApprove(browser: Browser, params: Record<string, string>): Promise<URL> {
  const res = await approveIfAsked(browser, await browser.get(authorizePath(params)));
  expect([302, 303], `status ${res.status}`).toContain(res.status);
  return new URL(res.headers.get('location') as string);
}
