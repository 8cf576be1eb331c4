/**
 * Structured logs: one JSON line per request with its request id, route, status, latency, client and
 * user; W3C traceparent accepted (valid) or replaced (invalid); and, over a run of real requests that
 * handle every kind of secret (and the queue consumer's event lines), no secret in any log output; the
 * same over the device flow, PAR, DPoP, JWT client assertions, token exchange, MCP and upstream sign-in.
 */
import { env, SELF } from 'cloudflare:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../worker/app';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  Browser,
  basic,
  inputValue,
  ORIGIN,
  parseSetCookies,
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

  it('sample successful requests under OAUTH2_LOG_SAMPLE_PERCENT, never failed ones', async () => {
    const none = workerFor(envWith({ OAUTH2_LOG_SAMPLE_PERCENT: '0' }));
    const answered = await none('/health');
    expect(answered.status).toBe(200);
    expect(lineOf(answered)).toBeUndefined();
    const failed = await none('/no-such-route');
    expect(failed.status).toBe(404);
    expect(lineOf(failed)).toMatchObject({ status: 404, route: 'unmatched' });

    const all = workerFor(envWith({ OAUTH2_LOG_SAMPLE_PERCENT: '100' }));
    const logged = await all('/health');
    expect(lineOf(logged)).toMatchObject({ status: 200, route: '/health' });
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

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A Worker with GitHub sign-in configured against an address nothing listens on. */
function upstreamWorker() {
  const app = createApp();
  const configured = {
    ...env,
    OAUTH2_GITHUB_CLIENT_ID: 'gh-client',
    OAUTH2_GITHUB_CLIENT_SECRET: 'gh-secret-logs-0123456789abcdef',
    OAUTH2_GITHUB_BASE_URL: 'http://127.0.0.1:9',
    OAUTH2_GITHUB_API_URL: 'http://127.0.0.1:9',
  } as Env;
  return (path: string, init: RequestInit = {}) =>
    app.request(`${ORIGIN}${path}`, { redirect: 'manual', ...init }, configured);
}

describe('No secret in any log line: device flow, PAR, DPoP, JWT client auth, token exchange, MCP, upstream', () => {
  it('a run of those flows logs none of their codes, references, proofs, assertions or tokens', async () => {
    const secrets: Record<string, string> = {};
    const admin = await adminToken();

    // A private_key_jwt client for the device flow, PAR, the code flow and token exchange.
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: crypto.randomUUID(), alg: 'ES256', use: 'sig' };
    const created = await postJson(
      '/admin/api/clients',
      {
        client_name: 'Logs JWT',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code', 'refresh_token', DEVICE_GRANT, EXCHANGE_GRANT],
        response_types: ['code'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk] },
      },
      { Authorization: `Bearer ${admin}` },
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const clientId = ((await created.json()) as { client_id: string }).client_id;
    let assertions = 0;
    const clientAuth = async (): Promise<Record<string, string>> => {
      const jwt = await new SignJWT({ jti: crypto.randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(ORIGIN)
        .setIssuedAt()
        .setExpirationTime('60s')
        .sign(privateKey);
      secrets[`client_assertion_${++assertions}`] = jwt;
      return { client_assertion_type: JWT_BEARER, client_assertion: jwt };
    };

    // A user who signs in and approves.
    const username = `logs2-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    secrets.user_password = password;
    const user = await postJson(
      '/admin/api/users',
      { username, password, email: `${username}@example.com` },
      { Authorization: `Bearer ${admin}` },
    );
    expect(user.status, await user.clone().text()).toBe(201);
    const browser = new Browser();
    expect((await browser.signIn(username, password)).status).toBe(303);

    // RFC 8628 device flow: device code, user code, approval, polling.
    const started = await post('/oauth/device_authorization', {
      scope: 'openid profile',
      ...(await clientAuth()),
    });
    expect(started.status, await started.clone().text()).toBe(200);
    const device = (await started.json()) as { device_code: string; user_code: string };
    secrets.device_code = device.device_code;
    secrets.user_code = device.user_code;
    const verify = await browser.get(
      `/oauth/device/verify?user_code=${encodeURIComponent(device.user_code)}`,
    );
    const verifyHtml = await verify.text();
    expect(verify.status, verifyHtml).toBe(200);
    const approved = await browser.postForm('/oauth/device/verify', {
      csrf_token: inputValue(verifyHtml, 'csrf_token') as string,
      user_code: inputValue(verifyHtml, 'user_code') as string,
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const polled = await post('/oauth/token', {
      grant_type: DEVICE_GRANT,
      device_code: device.device_code,
      ...(await clientAuth()),
    });
    expect(polled.status, await polled.clone().text()).toBe(200);
    const deviceTokens = (await polled.json()) as Record<string, string>;
    secrets.device_access_token = deviceTokens.access_token as string;
    if (deviceTokens.refresh_token) secrets.device_refresh_token = deviceTokens.refresh_token;
    expect(lineOf(polled)).toMatchObject({ client_id: clientId, route: '/oauth/token' });

    // RFC 9126 PAR: the request_uri, then the code redeemed with a DPoP proof (RFC 9449).
    const { verifier, challenge } = await pkce();
    secrets.par_code_verifier = verifier;
    const pushed = await post('/oauth/par', {
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      state: 'st',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(await clientAuth()),
    });
    expect(pushed.status, await pushed.clone().text()).toBe(201);
    const requestUri = ((await pushed.json()) as { request_uri: string }).request_uri;
    secrets.request_uri = requestUri;
    let authorized = await browser.get(
      `/oauth/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`,
    );
    if (authorized.status === 200) {
      const html = await authorized.text();
      authorized = await browser.postForm('/oauth/consent', {
        csrf_token: inputValue(html, 'csrf_token') as string,
        request_id: inputValue(html, 'request_id') as string,
        decision: 'approve',
      });
    }
    expect([302, 303]).toContain(authorized.status);
    const code = new URL(authorized.headers.get('location') as string).searchParams.get('code') as string;
    expect(code).toBeTruthy();
    secrets.par_authorization_code = code;
    const holder = await generateKeyPair('ES256', { extractable: true });
    const holderJwk = await exportJWK(holder.publicKey);
    const dpopProof = async (nonce?: string) => {
      const proof = await new SignJWT({
        htm: 'POST',
        htu: `${ORIGIN}/oauth/token`,
        jti: crypto.randomUUID(),
        ...(nonce ? { nonce } : {}),
      })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: holderJwk })
        .setIssuedAt()
        .sign(holder.privateKey);
      secrets[`dpop_proof_${nonce ? 'nonce' : 'first'}`] = proof;
      return proof;
    };
    const redeem = async (nonce?: string) =>
      post(
        '/oauth/token',
        {
          grant_type: 'authorization_code',
          code,
          code_verifier: verifier,
          redirect_uri: REDIRECT,
          ...(await clientAuth()),
        },
        { DPoP: await dpopProof(nonce) },
      );
    let redeemed = await redeem();
    const nonce = redeemed.headers.get('dpop-nonce');
    if (redeemed.status === 400 && nonce !== null) redeemed = await redeem(nonce);
    expect(redeemed.status, await redeemed.clone().text()).toBe(200);
    const dpopTokens = (await redeemed.json()) as Record<string, string>;
    expect(dpopTokens.token_type).toBe('DPoP');
    secrets.dpop_access_token = dpopTokens.access_token as string;
    secrets.dpop_id_token = dpopTokens.id_token as string;

    // RFC 8693 token exchange: the device flow's access token as the subject token.
    const exchanged = await post('/oauth/token', {
      grant_type: EXCHANGE_GRANT,
      subject_token: secrets.device_access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      ...(await clientAuth()),
    });
    expect(exchanged.status, await exchanged.clone().text()).toBe(200);
    secrets.exchanged_access_token = ((await exchanged.json()) as { access_token: string }).access_token;
    // A failed client assertion (wrong key): its JWT must not reach the log either.
    const stranger = await generateKeyPair('ES256');
    const forged = await new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(ORIGIN)
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(stranger.privateKey);
    secrets.forged_client_assertion = forged;
    const refused = await post('/oauth/token', {
      grant_type: EXCHANGE_GRANT,
      subject_token: secrets.device_access_token,
      subject_token_type: ACCESS_TOKEN_TYPE,
      client_assertion_type: JWT_BEARER,
      client_assertion: forged,
    });
    expect(refused.status).toBe(401);

    // MCP (RFC 8707 audience {issuer}/mcp): tools/list with the caller's token, which the tools forward.
    const mcpRes = await post(
      '/oauth/token',
      { grant_type: 'client_credentials', scope: 'admin', resource: `${ORIGIN}/mcp` },
      { Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
    );
    expect(mcpRes.status, await mcpRes.clone().text()).toBe(200);
    const mcpToken = ((await mcpRes.json()) as { access_token: string }).access_token;
    secrets.mcp_access_token = mcpToken;
    const call = (body: unknown) =>
      SELF.fetch(`${ORIGIN}/mcp`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${mcpToken}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(body),
      });
    const tools = await call({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(tools.status, await tools.clone().text()).toBe(200);
    const toolNames = ((await tools.json()) as { result: { tools: { name: string }[] } }).result.tools.map(
      (tool) => tool.name,
    );
    const listTool = toolNames.find((name) => /list.*client/.test(name));
    if (listTool) {
      const listed = await call({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: listTool, arguments: {} },
      });
      expect(listed.status).toBe(200);
    }

    // Upstream sign-in: the pending attempt's cookie and state, and an upstream code sent back to the
    // callback (redeeming it fails: nothing listens where the provider should be).
    const upstream = upstreamWorker();
    const ip = { 'CF-Connecting-IP': '192.0.2.77' };
    const begun = await upstream('/auth/login/github', { headers: ip });
    expect(begun.status).toBe(302);
    const state = new URL(begun.headers.get('location') as string).searchParams.get('state') as string;
    secrets.upstream_state = state;
    const binding = parseSetCookies(begun).find((cookie) => cookie.name.endsWith('upstream'));
    expect(binding).toBeDefined();
    secrets.upstream_binding_cookie = binding?.value as string;
    const upstreamCode = `gh-code-${crypto.randomUUID()}`;
    secrets.upstream_code = upstreamCode;
    const callback = await upstream(
      `/auth/callback/github?${new URLSearchParams({ code: upstreamCode, state })}`,
      {
        headers: { ...ip, Cookie: `${binding?.name}=${binding?.value}` },
      },
    );
    // The attempt was taken and its code sent on: the provider's failure comes back as a sign-in message.
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toContain('upstream_error=');
    secrets.github_client_secret = 'gh-secret-logs-0123456789abcdef';

    const everything = captured.join('\n');
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(8);
      expect(everything.includes(value), `${name} appears in the logs`).toBe(false);
    }
    // The user code also without its separator, and no credential-carrying header value.
    expect(everything.includes(device.user_code.replace('-', '')), 'user_code (normalized)').toBe(false);
    expect(everything).not.toMatch(/Bearer\s+\S|Basic\s+\S|DPoP\s+ey|session=|__Host-/);
  }, 60_000);
});
