/**
 * Structured logs: one JSON line per request with its request id, route, status, latency, client and
 * user; W3C traceparent accepted (valid) or replaced (invalid); and, over a run of real requests that
 * handle every kind of secret (and the queue consumer's event lines), no secret in any log output.
 */
import { SELF } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  Browser,
  basic,
  inputValue,
  ORIGIN,
  post,
  postJson,
  SEED_ADMIN,
} from './helpers';
import { CapturingQueue, envWith, eventsOfClient, eventually, json, workerFor } from './telemetry-helpers';

const REDIRECT = 'https://app.example.com/callback';
const INGEST_TOKEN = 'test-ingest-token-9a8b7c6d5e4f30211203f4e5d6c7b8a9';

/** Everything written to the console while the tests run. */
const captured: string[] = [];

function capture(...args: unknown[]): void {
  captured.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
}

beforeAll(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(capture);
  }
});

afterAll(() => {
  vi.restoreAllMocks();
});

/** The JSON request lines captured so far. */
function requestLines(): Record<string, unknown>[] {
  return captured
    .filter((line) => line.startsWith('{"level":') && line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function lineOf(res: Response): Record<string, unknown> | undefined {
  const id = res.headers.get('x-request-id');
  return requestLines().find((line) => line.request_id === id);
}

async function pkce() {
  const verifier = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const challenge = btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  return { verifier, challenge };
}

describe('Request logs', () => {
  it('write one JSON line per request: request id, method, route pattern, status, latency, client', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'read' },
      { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
    );
    expect(res.status).toBe(200);
    const line = lineOf(res);
    expect(line).toEqual({
      level: 'info',
      msg: 'request',
      request_id: res.headers.get('x-request-id'),
      method: 'POST',
      route: '/oauth/token',
      status: 200,
      latency_ms: expect.any(Number),
      client_id: ADMIN_ID,
      user_id: null,
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const registration = await SELF.fetch(`${ORIGIN}/connect/register/some-client`);
    expect(lineOf(registration)).toMatchObject({ route: '/connect/register/:client_id', status: 401 });
  });

  it('continue a valid W3C traceparent and start a new trace for an invalid one', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const valid = await SELF.fetch(`${ORIGIN}/health`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(lineOf(valid)?.trace_id).toBe(traceId);
    for (const header of [
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `ff-${traceId}-00f067aa0ba902b7-01`,
      `00-${traceId.toUpperCase()}-00f067aa0ba902b7-01`,
      `00-${traceId}-00f067aa0ba902b7-01-extra`,
      'garbage',
    ]) {
      const res = await SELF.fetch(`${ORIGIN}/health`, { headers: { traceparent: header } });
      const line = lineOf(res);
      expect(line?.trace_id, header).toMatch(/^[0-9a-f]{32}$/);
      expect(line?.trace_id, header).not.toBe(traceId);
    }
    // A later version may add fields: its known prefix is kept.
    const future = await SELF.fetch(`${ORIGIN}/health`, {
      headers: { traceparent: `01-${traceId}-00f067aa0ba902b7-01-what-comes-next` },
    });
    expect(lineOf(future)?.trace_id).toBe(traceId);
  });
});

describe('No secret in any log line', () => {
  it('a run of sign-ins, grants, refreshes, introspection, revocation, registration and ingest logs none', async () => {
    const secrets: Record<string, string> = {
      admin_client_secret: ADMIN_SECRET,
      seed_password: SEED_ADMIN.password,
    };
    const admin = await adminToken();
    secrets.admin_access_token = admin;

    // A user (password) and a confidential client (secret, registration access token).
    const username = `logs-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    secrets.user_password = password;
    const created = await postJson(
      '/admin/api/users',
      { username, password, email: `${username}@example.com` },
      { Authorization: `Bearer ${admin}` },
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const registered = await postJson(
      '/connect/register',
      {
        client_name: 'Logs',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
      },
      { Authorization: `Bearer ${admin}` },
    );
    const client = (await registered.json()) as {
      client_id: string;
      client_secret: string;
      registration_access_token: string;
    };
    secrets.client_secret = client.client_secret;
    secrets.registration_access_token = client.registration_access_token;
    const clientAuth = { Authorization: basic(client.client_id, client.client_secret) };

    // A failed sign-in with a wrong password, then the real one.
    const browser = new Browser();
    const wrongPassword = `wrong-${crypto.randomUUID()}`;
    secrets.wrong_password = wrongPassword;
    expect((await browser.signIn(username, wrongPassword)).status).toBe(401);
    expect((await browser.signIn(username, password)).status).toBe(303);
    for (const [name, value] of browser.cookies) secrets[`cookie_${name}`] = value;

    // Authorization code with PKCE, consent, tokens.
    const { verifier, challenge } = await pkce();
    secrets.code_verifier = verifier;
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid profile offline_access',
      state: 'st',
      nonce: 'nonce-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const consent = await browser.get(`/oauth/authorize?${query}`);
    expect(consent.status).toBe(200);
    const html = await consent.text();
    secrets.csrf_token = inputValue(html, 'csrf_token') as string;
    const approved = await browser.postForm('/oauth/consent', {
      csrf_token: secrets.csrf_token,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const code = new URL(approved.headers.get('location') as string).searchParams.get('code') as string;
    secrets.authorization_code = code;
    const exchanged = await post(
      '/oauth/token',
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
      clientAuth,
    );
    expect(exchanged.status, await exchanged.clone().text()).toBe(200);
    const tokens = (await exchanged.json()) as Record<string, string>;
    secrets.access_token = tokens.access_token as string;
    secrets.refresh_token = tokens.refresh_token as string;
    secrets.id_token = tokens.id_token as string;
    expect(lineOf(exchanged)).toMatchObject({ client_id: client.client_id, route: '/oauth/token' });

    const refreshed = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: secrets.refresh_token },
      clientAuth,
    );
    const rotated = (await refreshed.json()) as Record<string, string>;
    secrets.rotated_access_token = rotated.access_token as string;
    secrets.rotated_refresh_token = rotated.refresh_token as string;

    const userinfo = await SELF.fetch(`${ORIGIN}/oauth/userinfo`, {
      headers: { Authorization: `Bearer ${secrets.rotated_access_token}` },
    });
    expect(userinfo.status).toBe(200);
    const introspected = await post('/oauth/introspect', { token: secrets.rotated_access_token }, clientAuth);
    expect(lineOf(introspected)).toMatchObject({ client_id: client.client_id });
    // A replayed (rotated) refresh token revokes the family; then a plain revocation.
    await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: secrets.refresh_token },
      clientAuth,
    );
    await post('/oauth/revoke', { token: secrets.rotated_refresh_token }, clientAuth);
    const signOut = await browser.postForm('/auth/logout', { csrf_token: await browser.tokenOf('/profile') });
    expect(signOut.status).toBe(303);

    // Ingest with its Bearer token (a queue captured here, the console still spied on).
    secrets.ingest_token = INGEST_TOKEN;
    const ingest = workerFor(
      envWith({ OAUTH2_EVENTS_INGEST_BEARER_TOKEN: INGEST_TOKEN }, new CapturingQueue()),
    );
    const ingested = await ingest(
      '/events/ingest',
      json({ type: 'admin_action', metadata: { note: 'ok' } }, { Authorization: `Bearer ${INGEST_TOKEN}` }),
    );
    expect(ingested.status).toBe(202);

    // The real queue consumer writes its console line per event: wait until it has seen the revocation.
    await eventually(async () =>
      (await eventsOfClient(client.client_id)).find((event) => event.type === 'token_revoked'),
    );
    await eventually(async () =>
      captured.find((line) => line.includes('"msg":"event"') && line.includes(client.client_id)),
    );

    const everything = captured.join('\n');
    expect(requestLines().length).toBeGreaterThan(15);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      expect(everything.includes(value), `${name} appears in the logs`).toBe(false);
    }
    // No credential-carrying header value either (Authorization schemes, session cookie names).
    expect(everything).not.toMatch(/Bearer\s+\S|Basic\s+\S|session=|__Host-/);
  }, 60_000);
});
