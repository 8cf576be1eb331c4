/**
 * OAuth Client ID Metadata Documents (OAUTH2_CLIENT_ID_METADATA_DOCUMENTS=true): an https client_id names
 * a JSON document the server fetches, with SSRF guards (https, public hosts, no redirects, size and time
 * caps) and a per-isolate cache. The client's host is the network here: `fetch` is replaced for its URLs.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientIdUrlProblem } from '../../src/oauth/registration/client-id-metadata';
import { createApp } from '../../worker/app';
import { inputValue, ORIGIN, parseSetCookies, SEED_ADMIN, uniqueIp } from './helpers';

const CLIENT_ID = 'https://client.example.com/oauth/client.json';
const REDIRECT = 'https://client.example.com/callback';
const DOCUMENT = {
  client_id: CLIENT_ID,
  client_name: 'Example MCP client',
  redirect_uris: [REDIRECT, 'http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
};

/** What the client's host serves, by URL. */
let served: Map<string, () => Response>;
let fetched: string[];

beforeEach(() => {
  served = new Map();
  fetched = [];
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith('https://')) return realFetch(input, init);
    fetched.push(url);
    const respond = served.get(url);
    return respond ? respond() : new Response('not found', { status: 404 });
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const json =
  (body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json', ...headers } });

/** A fresh app and env per test: a fresh isolate, so the document cache starts empty. */
function isolate(vars: Record<string, string> = { OAUTH2_CLIENT_ID_METADATA_DOCUMENTS: 'true' }) {
  const app = createApp();
  const configured = { ...env, ...vars };
  const cookies = new Map<string, string>();
  const ip = uniqueIp();
  const call = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', ip);
    if (cookies.size > 0) headers.set('Cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await app.request(`${ORIGIN}${path}`, { ...init, headers, redirect: 'manual' }, configured);
    for (const cookie of parseSetCookies(res)) cookies.set(cookie.name, cookie.value);
    return res;
  };
  const post = (path: string, form: Record<string, string>) =>
    call(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  return { call, post };
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

function authorizeQuery(clientId: string, challenge: string, redirect = REDIRECT) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirect,
    scope: 'openid',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
}

describe('Client ID Metadata Documents', () => {
  it('advertises support in the metadata only when enabled', async () => {
    const on = (await (await isolate().call('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >;
    expect(on.client_id_metadata_document_supported).toBe(true);
    const off = (await (await isolate({}).call('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >;
    expect(off).not.toHaveProperty('client_id_metadata_document_supported');
  });

  it('runs the code flow for a client known only by its document URL', async () => {
    served.set(CLIENT_ID, json(DOCUMENT));
    const agent = isolate();
    const page = await agent.call('/auth/login');
    const csrf = inputValue(await page.text(), 'csrf_token') as string;
    const signedIn = await agent.post('/auth/login', { ...SEED_ADMIN, csrf_token: csrf });
    expect(signedIn.status).toBe(303);

    const { verifier, challenge } = await pkce();
    const consent = await agent.call(`/oauth/authorize?${authorizeQuery(CLIENT_ID, challenge)}`);
    const html = await consent.text();
    expect(consent.status, html).toBe(200);
    // The name the document claims, with the host that published it.
    expect(html).toContain('Example MCP client (client.example.com)');
    const approved = await agent.post('/oauth/consent', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
    const callback = new URL(approved.headers.get('location') as string);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    const code = callback.searchParams.get('code') as string;

    const token = await agent.post('/oauth/token', {
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    });
    expect(token.status, await token.clone().text()).toBe(200);
    // Fetched once: the authorization and token requests were served from the isolate's cache.
    expect(fetched).toEqual([CLIENT_ID]);
  });

  it('a document may list scope admin only to ask an administrator for it, on a page that says so', async () => {
    served.set(CLIENT_ID, json({ ...DOCUMENT, scope: 'openid admin' }));
    const agent = isolate();
    const page = await agent.call('/auth/login');
    const csrf = inputValue(await page.text(), 'csrf_token') as string;
    expect((await agent.post('/auth/login', { ...SEED_ADMIN, csrf_token: csrf })).status).toBe(303);
    const { challenge } = await pkce();
    const query = new URLSearchParams(authorizeQuery(CLIENT_ID, challenge));
    query.set('scope', 'openid admin');
    const consent = await agent.call(`/oauth/authorize?${query}`);
    const html = await consent.text();
    expect(consent.status, html).toBe(200);
    expect(html).toContain('Administer this server: clients, users, signing keys');
    expect(html).toContain('This app registered itself');
  });

  it.each([
    [
      'a document naming another client_id',
      () => json({ ...DOCUMENT, client_id: 'https://client.example.com/x' }),
    ],
    ['a document with a client_secret', () => json({ ...DOCUMENT, client_secret: 's3cret' })],
    ['a confidential client', () => json({ ...DOCUMENT, token_endpoint_auth_method: 'client_secret_basic' })],
    [
      'client_credentials',
      () => json({ ...DOCUMENT, grant_types: ['authorization_code', 'client_credentials'] }),
    ],
    [
      'a redirect',
      () => () => new Response(null, { status: 302, headers: { Location: 'https://10.0.0.1/doc' } }),
    ],
    ['a body over 5 KiB', () => json({ ...DOCUMENT, padding: 'x'.repeat(6000) })],
    ['not JSON', () => () => new Response('<html>', { headers: { 'Content-Type': 'text/html' } })],
    ['an error status', () => () => new Response('{}', { status: 500 })],
  ])('refuses %s: the client is unknown (error page, no redirect)', async (_, respond) => {
    served.set(CLIENT_ID, respond());
    const res = await isolate().call(
      `/oauth/authorize?${authorizeQuery(CLIENT_ID, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')}`,
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('Unknown client');
  });

  it('never fetches from private, loopback or local hosts, nor over http', async () => {
    for (const clientId of [
      'https://127.0.0.1/client.json',
      'https://10.1.2.3/client.json',
      'https://192.168.0.1/client.json',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/client.json',
      'https://[fd00::1]/client.json',
      'https://localhost/client.json',
      'https://metadata.internal/client.json',
      'https://intranet/client.json',
      'http://client.example.com/client.json',
      'https://client.example.com',
      'https://user@client.example.com/client.json',
      'https://client.example.com/a/../client.json',
    ]) {
      served.set(clientId, json({ ...DOCUMENT, client_id: clientId }));
      const res = await isolate().call(
        `/oauth/authorize?${authorizeQuery(clientId, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')}`,
      );
      expect(res.status, clientId).toBe(400);
    }
    expect(fetched).toEqual([]);
  });

  it('is off by default: an https client_id is just an unknown client, never fetched', async () => {
    served.set(CLIENT_ID, json(DOCUMENT));
    const res = await isolate({}).call(
      `/oauth/authorize?${authorizeQuery(CLIENT_ID, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')}`,
    );
    expect(res.status).toBe(400);
    expect(fetched).toEqual([]);
  });

  it('classifies client_id URLs', () => {
    expect(clientIdUrlProblem(CLIENT_ID)).toBeNull();
    expect(clientIdUrlProblem('https://client.example.com:8443/c')).toBeNull();
    expect(clientIdUrlProblem('https://[2606:4700::1111]/c')).toBeNull();
    expect(clientIdUrlProblem('https://8.8.8.8/c')).toBeNull();
    expect(clientIdUrlProblem('https://client.example.com/c#f')).not.toBeNull();
    expect(clientIdUrlProblem('https://[::ffff:127.0.0.1]/c')).not.toBeNull();
    expect(clientIdUrlProblem('https://100.64.0.1/c')).not.toBeNull();
  });
});
