/**
 * Scopes and an API defined at run time through the admin API (/admin/api/scopes, /admin/api/resources)
 * end to end with openid-client 6 against the built Worker bundle (bench/lib/server.mjs): advertised in
 * discovery, registered (RFC 7591), issued through client_credentials (aud = the API even without
 * `resource`) and the authorization code flow (consent page shows the description), reported by
 * introspection (RFC 7662); then update and delete (409 naming the holders).
 *
 * Staleness: a change made through the admin API reloads the registry copy of the isolate that made it
 * before answering (src/oauth/scopes/stored-registry.ts); other isolates see it within REGISTRY_CACHE_TTL_SECS.
 * The local server runs one isolate, so every check below is the first request after the write, with no
 * waiting or polling: a regression to "eventually" (e.g. up to 30 s later) fails here.
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY_CACHE_TTL_SECS } from '../../src/oauth/scopes/stored-registry';
import {
  adminToken,
  CookieAgent,
  claimsOf,
  createUser,
  discoverAsClient,
  formInputs,
  insecure,
  location,
  oauthRejection,
  REDIRECT_URI,
  registerClient,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

const API = 'https://api.example.com/invoices';

async function adminCall(
  server: TestServer,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>) };
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The consent page's line for a scope: its description, then its name beside it. */
function consentLine(scope: string, description: string): RegExp {
  return new RegExp(`<li>\\s*${escapeRegExp(description)}\\s*<code[^>]*>${escapeRegExp(scope)}</code>`);
}

/** Opens `authorizationUrl` with a fresh agent, signs `user` in on the login form; answers the consent page. */
async function openConsent(agent: CookieAgent, authorizationUrl: URL, user: TestUser): Promise<string> {
  const authorize = await agent.fetch(authorizationUrl);
  expect(authorize.status, await authorize.clone().text()).toBe(302);
  const loginUrl = location(authorize, agent.origin);
  expect(loginUrl.pathname).toBe('/auth/login');
  const loginHtml = await (await agent.fetch(loginUrl)).text();
  const signedIn = await agent.postForm('/auth/login', {
    ...formInputs(loginHtml),
    username: user.username,
    password: user.password,
  });
  expect(signedIn.status, await signedIn.clone().text()).toBe(303);
  const consent = await agent.fetch(location(signedIn, agent.origin));
  const html = await consent.text();
  expect(consent.status, html).toBe(200);
  expect(html).toContain('name="decision"');
  return html;
}

/** Approves on the consent page `html`; answers the callback URL. */
async function approve(agent: CookieAgent, html: string): Promise<URL> {
  const form = formInputs(html);
  const approved = await agent.postForm('/oauth/consent', {
    csrf_token: String(form.csrf_token),
    request_id: String(form.request_id),
    decision: 'approve',
  });
  expect(approved.status, await approved.clone().text()).toBe(303);
  return location(approved, agent.origin);
}

describe('openid-client 6 with scopes and an API created through the admin API', () => {
  let server: TestServer;
  let token: string;
  const prefix = `inv${crypto.randomUUID().slice(0, 6)}`;
  const read = `${prefix}:read`;
  const write = `${prefix}:write`;
  const beta = `${prefix}:beta`;
  /** Milliseconds from the last admin write to the first request that saw it. */
  let visibleAfterMs = Number.NaN;
  let serviceClientId = '';
  let webClientId = '';

  beforeAll(async () => {
    // Opaque by default: the API's access_token_format jwt must win for its tokens.
    server = await startServer({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
    token = await adminToken(server);
    for (const [name, description, advertise] of [
      [read, 'See your invoices', true],
      [write, 'Send and cancel invoices', true],
      [beta, 'Try invoice features not yet released', false],
    ] as const) {
      const created = await adminCall(server, token, 'POST', '/admin/api/scopes', {
        name,
        description,
        advertise,
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.body).toMatchObject({ name, description, advertise, source: 'admin' });
    }
    const api = await adminCall(server, token, 'POST', '/admin/api/resources', {
      identifier: API,
      name: 'Invoices',
      scopes: [read, write],
      access_token_format: 'jwt',
    });
    expect(api.status, JSON.stringify(api.body)).toBe(201);
    const written = Date.now();

    // The first request after the write: discovery already lists the advertised stored scopes.
    const config = await client.discovery(
      new URL(server.url),
      server.adminClientId,
      undefined,
      client.ClientSecretBasic(server.adminClientSecret),
      insecure,
    );
    visibleAfterMs = Date.now() - written;
    const supported = config.serverMetadata().scopes_supported;
    expect(supported).toEqual(expect.arrayContaining(['openid', read, write]));
    expect(supported).not.toContain(beta);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a change applies at once in the isolate that made it, within the documented bound', async () => {
    expect(visibleAfterMs).toBeLessThan(REGISTRY_CACHE_TTL_SECS * 1000);
    const doc = (await (await fetch(`${server.url}/api-docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { description?: string }>>;
    };
    expect(doc.paths['/admin/api/scopes']?.post?.description).toContain(
      `A change applies at once in this isolate, within ${REGISTRY_CACHE_TTL_SECS} s everywhere.`,
    );
  });

  it('client_credentials: registered with the stored scopes, aud is the API without resource', async () => {
    const registered = await client.dynamicClientRegistration(
      new URL(server.url),
      {
        client_name: 'invoice service',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: `${read} ${write}`,
      },
      undefined,
      { ...insecure, initialAccessToken: token },
    );
    const { client_id: clientId, client_secret: secret, scope } = registered.clientMetadata();
    expect(scope).toBe(`${read} ${write}`);
    serviceClientId = clientId;
    const svc = await client.discovery(
      new URL(server.url),
      clientId,
      undefined,
      client.ClientSecretBasic(String(secret)),
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(svc, { scope: `${read} ${write}` });
    expect(tokens.scope).toBe(`${read} ${write}`);
    // access_token_format jwt: an RFC 9068 JWT whose aud is the API, though no resource was named.
    const claims = claimsOf(tokens.access_token);
    expect([claims.aud].flat()).toEqual([API]);
    expect(claims.scope).toBe(`${read} ${write}`);
    expect(claims.client_id).toBe(clientId);

    const info = await client.tokenIntrospection(svc, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.scope).toBe(`${read} ${write}`);
    expect([info.aud].flat()).toEqual([API]);

    // A stored scope not registered for the client is refused.
    expect(await oauthRejection(client.clientCredentialsGrant(svc, { scope: beta }))).toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('authorization code + PKCE: the consent page shows the description beside the name', async () => {
    const user = await createUser(server, token);
    const registered = await registerClient(server, token, {
      client_name: 'invoice web app',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: `openid ${read} ${write}`,
    });
    webClientId = registered.client_id;
    const config = await discoverAsClient(server, registered);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: `openid ${read}`,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const agent = new CookieAgent(server.url);
    const consentHtml = await openConsent(agent, authorizationUrl, user);
    expect(consentHtml).toMatch(consentLine(read, 'See your invoices'));
    expect(consentHtml).not.toContain(write);

    const tokens = await client.authorizationCodeGrant(config, await approve(agent, consentHtml), {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    expect(tokens.scope).toBe(`openid ${read}`);
    const claims = claimsOf(tokens.access_token);
    expect([claims.aud].flat()).toEqual([API]);
    expect(claims.sub).toBe(user.id);
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.scope).toBe(`openid ${read}`);
    expect(info.sub).toBe(user.id);
  });

  it('an updated description is shown at once; an unadvertised scope leaves discovery at once', async () => {
    const updated = await adminCall(server, token, 'PUT', `/admin/api/scopes/${encodeURIComponent(write)}`, {
      description: 'Send, cancel and refund invoices',
      advertise: false,
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);

    const metadata = await client.discovery(
      new URL(server.url),
      webClientId,
      undefined,
      client.None(),
      insecure,
    );
    expect(metadata.serverMetadata().scopes_supported).toContain(read);
    expect(metadata.serverMetadata().scopes_supported).not.toContain(write);

    const user = await createUser(server, token);
    const authorizationUrl = client.buildAuthorizationUrl(metadata, {
      redirect_uri: REDIRECT_URI,
      scope: `openid ${write}`,
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: client.randomState(),
    });
    const html = await openConsent(new CookieAgent(server.url), authorizationUrl, user);
    expect(html).toMatch(consentLine(write, 'Send, cancel and refund invoices'));
    expect(html).not.toContain('Send and cancel invoices');
  });

  it('deleting a scope still held answers 409 naming the API, then the clients', async () => {
    const path = `/admin/api/scopes/${encodeURIComponent(read)}`;
    const byApi = await adminCall(server, token, 'DELETE', path);
    expect(byApi.status).toBe(409);
    expect(String(byApi.body?.error_description)).toContain(API);

    const apis = await adminCall(server, token, 'GET', '/admin/api/resources');
    const stored = ((apis.body?.items ?? []) as { id: string; identifier: string }[]).find(
      (r) => r.identifier === API,
    );
    expect(stored).toBeDefined();
    expect((await adminCall(server, token, 'DELETE', `/admin/api/resources/${stored?.id}`)).status).toBe(204);

    const byClients = await adminCall(server, token, 'DELETE', path);
    expect(byClients.status).toBe(409);
    expect(byClients.body?.error).toBe('invalid_request');
    const description = String(byClients.body?.error_description);
    expect(description).toContain(serviceClientId);
    expect(description).toContain(webClientId);

    // A scope no client or API holds is deleted, and registering it is refused at once.
    expect(
      (await adminCall(server, token, 'DELETE', `/admin/api/scopes/${encodeURIComponent(beta)}`)).status,
    ).toBe(204);
    const refused = await fetch(`${server.url}/connect/register`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: 'late', grant_types: ['client_credentials'], scope: beta }),
    });
    const body = (await refused.json()) as { error: string; error_description: string };
    expect(refused.status).toBe(400);
    expect(body.error).toBe('invalid_client_metadata');
    expect(body.error_description).toContain(beta);
  });
});
