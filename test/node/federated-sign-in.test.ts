/**
 * Federated sign-in end to end: the built Worker under Miniflare signs users in through upstream
 * providers running on 127.0.0.1 - node-oidc-provider 8.8.1 as `okta` (OAUTH2_OKTA_ISSUER), a jose-built
 * OpenID provider as `google`, `microsoft` (multi-tenant `{tenantid}` issuer), `auth0` (client_secret_post,
 * issuer with a trailing slash) and a generic provider (OAUTH2_OIDC_PROVIDERS), and a GitHub look-alike
 * (OAUTH2_GITHUB_BASE_URL / _API_URL). Covers the complete flow to an openid-client relying party's tokens,
 * the hostile callbacks (bad, replayed, foreign state), the ID token checks (nonce, issuer, audience, expiry,
 * signature), denials, and the OAUTH2_SOCIAL_LINK_BY_EMAIL rule.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultBehaviour,
  type GithubMock,
  type IdpUser,
  type MiniIdp,
  startGithubMock,
  startMiniIdp,
} from './federated-sign-in.support';
import {
  adminToken,
  CookieAgent,
  formInputs,
  insecure,
  location,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  startServer,
  type TestServer,
} from './support';

const SCOPE = 'openid email profile';
const secret = () => randomBytes(24).toString('base64url');

const OKTA = { id: 'okta-client', secret: secret() };
const GITHUB = { id: 'gh-client', secret: secret() };
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENTS = {
  acme: { id: 'acme-client', secret: secret() },
  google: { id: 'google-client', secret: secret() },
  auth0: { id: 'auth0-client', secret: secret() },
  microsoft: { id: 'ms-client', secret: secret() },
  link: { id: 'link-client', secret: secret() },
};

let oktaHttp: Server;
let oktaUrl: string;
let idp: MiniIdp;
let gh: GithubMock;
let server: TestServer;
let linking: TestServer;
let token: string;
let linkingToken: string;

const alice: IdpUser = {
  sub: 'acme-alice',
  email: 'alice@acme.test',
  email_verified: true,
  name: 'Alice Acme',
  preferred_username: 'alice',
};

beforeAll(async () => {
  oktaHttp = createServer();
  await new Promise<void>((resolve) => oktaHttp.listen(0, '127.0.0.1', resolve));
  oktaUrl = `http://127.0.0.1:${(oktaHttp.address() as AddressInfo).port}`;
  idp = await startMiniIdp(
    [
      { prefix: '/acme', clientId: CLIENTS.acme.id, clientSecret: CLIENTS.acme.secret },
      { prefix: '/google', clientId: CLIENTS.google.id, clientSecret: CLIENTS.google.secret },
      {
        prefix: '/auth0',
        issuerSuffix: '/',
        postOnly: true,
        clientId: CLIENTS.auth0.id,
        clientSecret: CLIENTS.auth0.secret,
      },
      {
        prefix: '/common/v2.0',
        tenantId: TENANT,
        clientId: CLIENTS.microsoft.id,
        clientSecret: CLIENTS.microsoft.secret,
      },
      { prefix: '/link', clientId: CLIENTS.link.id, clientSecret: CLIENTS.link.secret },
    ],
    alice,
  );
  gh = await startGithubMock(GITHUB.id, GITHUB.secret);
  [server, linking] = await Promise.all([
    startServer({
      OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true',
      OAUTH2_OKTA_CLIENT_ID: OKTA.id,
      OAUTH2_OKTA_CLIENT_SECRET: OKTA.secret,
      OAUTH2_OKTA_ISSUER: oktaUrl,
      OAUTH2_GITHUB_CLIENT_ID: GITHUB.id,
      OAUTH2_GITHUB_CLIENT_SECRET: GITHUB.secret,
      OAUTH2_GITHUB_BASE_URL: gh.base,
      OAUTH2_GITHUB_API_URL: `${gh.base}/api`,
      OAUTH2_GOOGLE_CLIENT_ID: CLIENTS.google.id,
      OAUTH2_GOOGLE_CLIENT_SECRET: CLIENTS.google.secret,
      OAUTH2_GOOGLE_ISSUER: idp.issuerOf('/google'),
      OAUTH2_AUTH0_CLIENT_ID: CLIENTS.auth0.id,
      OAUTH2_AUTH0_CLIENT_SECRET: CLIENTS.auth0.secret,
      OAUTH2_AUTH0_ISSUER: idp.issuerOf('/auth0'),
      OAUTH2_MICROSOFT_CLIENT_ID: CLIENTS.microsoft.id,
      OAUTH2_MICROSOFT_CLIENT_SECRET: CLIENTS.microsoft.secret,
      OAUTH2_MICROSOFT_ISSUER: idp.issuerOf('/common/v2.0'),
      OAUTH2_OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'acme',
          name: 'Acme SSO',
          issuer: idp.issuerOf('/acme'),
          client_id: CLIENTS.acme.id,
          client_secret: CLIENTS.acme.secret,
        },
      ]),
    }),
    startServer({
      OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true',
      OAUTH2_SOCIAL_LINK_BY_EMAIL: 'true',
      OAUTH2_OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'corp',
          name: 'Corp',
          issuer: idp.issuerOf('/link'),
          client_id: CLIENTS.link.id,
          client_secret: CLIENTS.link.secret,
        },
        // Nothing listens on the discard port: every call to this provider fails at once.
        { id: 'down', name: 'Down', issuer: 'http://127.0.0.1:9/x', client_id: 'c', client_secret: 's' },
      ]),
    }),
  ]);
  const provider = oktaProvider(`${server.url}/auth/callback/okta`);
  oktaHttp.on('request', provider.callback());
  [token, linkingToken] = await Promise.all([adminToken(server), adminToken(linking)]);
}, 180_000);

afterAll(async () => {
  await Promise.all([server?.stop(), linking?.stop(), idp?.stop(), gh?.stop()]);
  await new Promise((resolve) => oktaHttp?.close(resolve));
});

/** node-oidc-provider as the Okta org: one confidential client (ours), accounts made up from their id. */
function oktaProvider(redirectUri: string): Provider {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return new Provider(oktaUrl, {
    clients: [
      {
        client_id: OKTA.id,
        client_secret: OKTA.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...rsa, alg: 'RS256', use: 'sig', kid: 'okta-rs256' }] },
    cookies: { keys: [secret()] },
    claims: { email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({
        sub: id,
        email: `${id}@okta.test`,
        email_verified: true,
        name: `Okta ${id}`,
        preferred_username: id,
      }),
    }),
  });
}

/** The HTML page the agent is on must contain a link to `/auth/login/{provider}`; answers its href. */
function providerLink(html: string, provider: string): string {
  const href = new RegExp(`href="(/auth/login/${provider}\\?[^"]*)"`).exec(html)?.[1];
  expect(href, `a link to /auth/login/${provider}`).toBeTruthy();
  return (href as string).replace(/&amp;/g, '&');
}

/**
 * Drives node-oidc-provider's dev interactions (login as `account`, then consent, or abort) until it
 * redirects back to our server; answers that callback URL (not fetched).
 */
async function throughOkta(authorizeUrl: URL, account: string, abort = false): Promise<URL> {
  const upstream = new CookieAgent(oktaUrl);
  let res = await upstream.fetch(authorizeUrl);
  for (let hop = 0; hop < 12; hop++) {
    const next = location(res, oktaUrl);
    if (next.origin !== oktaUrl) return next;
    if (/^\/interaction\/[^/]+$/.test(next.pathname)) {
      const page = await upstream.fetch(next);
      const html = await page.text();
      expect(page.status, html).toBe(200);
      if (abort) {
        res = await upstream.fetch(`${next.pathname}/abort`);
      } else if (html.includes('name="prompt" value="login"')) {
        res = await upstream.postForm(next, { prompt: 'login', login: account, password: 'any' });
      } else {
        res = await upstream.postForm(next, { prompt: 'consent' });
      }
    } else {
      res = await upstream.fetch(next);
    }
  }
  throw new Error('oidc-provider did not redirect back');
}

/** Starts `/auth/login/{provider}` in `agent` and follows the (auto-approving) local provider: the callback URL. */
async function throughLocal(agent: CookieAgent, provider: string, returnTo = '/profile'): Promise<URL> {
  const start = await agent.fetch(`/auth/login/${provider}?${new URLSearchParams({ return_to: returnTo })}`);
  expect(start.status, await start.clone().text()).toBe(302);
  const authorize = location(start, agent.origin);
  const res = await fetch(authorize, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return location(res, authorize.href);
}

/** Follows a callback to its end: the redirect target (same origin) or the error page. */
async function finish(agent: CookieAgent, callbackUrl: URL): Promise<Response> {
  return agent.fetch(callbackUrl);
}

async function profileUsername(agent: CookieAgent): Promise<string> {
  const res = await agent.fetch('/profile');
  const html = await res.text();
  expect(res.status, html).toBe(200);
  const username = /<dt>Username<\/dt>\s*<dd>([^<]*)<\/dd>/.exec(html)?.[1];
  expect(username, 'the username on /profile').toBeTruthy();
  return username as string;
}

/** The login page the failed attempt was sent to; answers its HTML. */
async function loginPageAfter(agent: CookieAgent, res: Response, reason: string): Promise<string> {
  expect(res.status, await res.clone().text()).toBe(302);
  const target = location(res, agent.origin);
  expect(target.pathname).toBe('/auth/login');
  expect(target.searchParams.get('upstream_error')).toBe(reason);
  const page = await agent.fetch(target);
  const html = await page.text();
  expect(page.status).toBe(200);
  expect(html).toContain('role="alert"');
  return html;
}

async function usersWithEmail(
  target: TestServer,
  adminBearer: string,
  email: string,
): Promise<{ id: string }[]> {
  const res = await fetch(`${target.url}/admin/api/users?${new URLSearchParams({ q: email, limit: '50' })}`, {
    headers: { Authorization: `Bearer ${adminBearer}` },
  });
  const body = (await res.json()) as { items?: { id: string; email: string | null }[]; data?: unknown };
  expect(res.status).toBe(200);
  return (body.items ?? []).filter((u) => u.email?.toLowerCase() === email.toLowerCase());
}

describe('Login page (contracts.md: one link per enabled provider)', () => {
  it('links every enabled provider with the return_to, and not the azure alias', async () => {
    const agent = new CookieAgent(server.url);
    const res = await agent.fetch('/auth/login?return_to=%2Foauth%2Fauthorize%3Fx%3D1');
    const html = await res.text();
    for (const provider of ['google', 'microsoft', 'github', 'okta', 'auth0', 'acme']) {
      const href = providerLink(html, provider);
      expect(new URL(href, server.url).searchParams.get('return_to')).toBe('/oauth/authorize?x=1');
    }
    expect(html).toContain('Acme SSO');
    expect(html).not.toContain('/auth/login/azure');
  });

  it('a server without upstream settings shows no provider link', async () => {
    const html = await (await new CookieAgent(linking.url).fetch('/auth/login')).text();
    expect(html).not.toContain('/auth/login/okta');
    expect(html).toContain('/auth/login/corp');
  });

  it('answers 404 pages for unknown or disabled providers', async () => {
    for (const path of ['/auth/login/nope', '/auth/callback/nope', '/auth/login/okta%2F..']) {
      const res = await fetch(`${linking.url}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
    expect((await fetch(`${linking.url}/auth/login/github`, { redirect: 'manual' })).status).toBe(404);
  });
});

describe('A provider that cannot be reached', () => {
  it('sends the browser back to the login page, also once its circuit breaker is open', async () => {
    // The default breaker opens after 5 failures; the later attempts are refused without a call.
    for (let attempt = 0; attempt < 7; attempt++) {
      const agent = new CookieAgent(linking.url);
      const res = await agent.fetch('/auth/login/down?return_to=%2Fprofile');
      const html = await loginPageAfter(agent, res, 'unavailable');
      expect(html).toContain('Down could not be reached.');
      expect(agent.cookies.has('upstream')).toBe(false);
    }
  });
});

describe('Okta (node-oidc-provider) to an openid-client relying party', () => {
  let rp: RegisteredClient;
  let config: client.Configuration;

  beforeAll(async () => {
    rp = await registerClient(server, token, {
      client_name: 'federated RP',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });
    config = await client.discovery(
      new URL(server.url),
      rp.client_id,
      undefined,
      client.ClientSecretBasic(String(rp.client_secret)),
      insecure,
    );
  });

  it('login page -> okta -> callback -> our consent -> code -> tokens for the okta user', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const agent = new CookieAgent(server.url);
    const toLogin = location(await agent.fetch(authorizationUrl), server.url);
    expect(toLogin.pathname).toBe('/auth/login');
    const loginHtml = await (await agent.fetch(toLogin)).text();

    const start = await agent.fetch(providerLink(loginHtml, 'okta'));
    expect(start.status).toBe(302);
    const upstreamAuthorize = location(start, server.url);
    expect(upstreamAuthorize.origin).toBe(oktaUrl);
    expect(upstreamAuthorize.searchParams.get('redirect_uri')).toBe(`${server.url}/auth/callback/okta`);
    expect(upstreamAuthorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(upstreamAuthorize.searchParams.get('nonce')).toBeTruthy();

    const callback = await throughOkta(upstreamAuthorize, 'okta-ada');
    expect(callback.searchParams.get('iss')).toBe(oktaUrl);
    const back = await finish(agent, callback);
    expect(back.status, await back.clone().text()).toBe(302);
    const resumed = location(back, server.url);
    expect(resumed.pathname).toBe('/oauth/authorize');

    const consent = await agent.fetch(resumed);
    const consentHtml = await consent.text();
    expect(consent.status, consentHtml).toBe(200);
    const form = formInputs(consentHtml);
    const approved = await agent.postForm('/oauth/consent', {
      csrf_token: form.csrf_token as string,
      request_id: form.request_id as string,
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const clientCallback = location(approved, server.url);

    const tokens = await client.authorizationCodeGrant(config, clientCallback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    expect(claims?.iss).toBe(server.url);
    const info = await client.fetchUserInfo(config, tokens.access_token, claims?.sub as string);
    // The e-mail came from okta's UserInfo (oidc-provider keeps it out of the ID token).
    expect(info.email).toBe('okta-ada@okta.test');
    expect(info.email_verified).toBe(true);
    expect(info.preferred_username).toBe('okta-ada');

    // Replaying the upstream callback (same state and code) is refused: the attempt was single use.
    const replay = await agent.fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toMatch(/already used|expired|invalid/i);
  });

  it('the same okta account signs in to the same local user again', async () => {
    const first = new CookieAgent(server.url);
    const a = await throughOkta(location(await first.fetch('/auth/login/okta'), server.url), 'okta-bob');
    expect((await first.fetch(a)).status).toBe(302);
    const second = new CookieAgent(server.url);
    const b = await throughOkta(location(await second.fetch('/auth/login/okta'), server.url), 'okta-bob');
    expect((await second.fetch(b)).status).toBe(302);
    expect(await profileUsername(first)).toBe('okta-bob');
    expect(await profileUsername(second)).toBe('okta-bob');
    expect(await usersWithEmail(server, token, 'okta-bob@okta.test')).toHaveLength(1);
  });

  it('a user who aborts at okta comes back to the login page with a message (access_denied)', async () => {
    const agent = new CookieAgent(server.url);
    const start = await agent.fetch('/auth/login/okta?return_to=%2Foauth%2Fauthorize%3Fa%3Db');
    const callback = await throughOkta(location(start, server.url), 'okta-carol', true);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const res = await finish(agent, callback);
    expect(location(res, server.url).searchParams.get('return_to')).toBe('/oauth/authorize?a=b');
    const html = await loginPageAfter(agent, res, 'denied');
    expect(html).toContain('Sign-in with Okta was cancelled.');
  });
});

describe('Hostile callbacks get a 400 page and consume nothing', () => {
  it('a missing, malformed or unknown state', async () => {
    const agent = new CookieAgent(server.url);
    await throughLocal(agent, 'acme'); // the agent holds a binding cookie and a live attempt
    for (const query of ['code=x', 'code=x&state=short', `code=x&state=aa${'A'.repeat(22)}`]) {
      const res = await agent.fetch(`/auth/callback/acme?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    }
  });

  it('a repeated or oversized parameter', async () => {
    const agent = new CookieAgent(server.url);
    expect((await agent.fetch('/auth/callback/acme?state=a&state=b')).status).toBe(400);
    expect((await agent.fetch(`/auth/callback/acme?code=${'x'.repeat(5000)}&state=a`)).status).toBe(400);
  });

  it("another browser's state: refused there, still usable by the browser that started it", async () => {
    const victim = new CookieAgent(server.url);
    const callback = await throughLocal(victim, 'acme');
    const before = idp.tokenCalls['/acme'];
    const attacker = new CookieAgent(server.url);
    expect((await attacker.fetch(callback)).status).toBe(400);
    expect(idp.tokenCalls['/acme']).toBe(before); // the code was never redeemed
    const res = await finish(victim, callback);
    expect(res.status).toBe(302);
    expect(location(res, server.url).pathname).toBe('/profile');
  });

  it('a state started for another provider', async () => {
    const agent = new CookieAgent(server.url);
    const callback = await throughLocal(agent, 'acme');
    const res = await agent.fetch(`/auth/callback/google${callback.search}`);
    expect(res.status).toBe(400);
  });
});

describe('ID token validation (OIDC Core §3.1.3.7) against a local jose provider', () => {
  const cases: [string, Partial<ReturnType<typeof defaultBehaviour>>][] = [
    ['a wrong nonce', { nonce: 'wrong' }],
    ['no nonce', { nonce: 'missing' }],
    ['a wrong issuer', { iss: 'wrong' }],
    ['an expired ID token', { expIn: -120 }],
    ['another audience', { aud: 'wrong' }],
    ['a signature by a key not in the JWKS', { foreignKey: true }],
  ];

  it.each(cases)('refuses %s: back to the login page, nobody signed in', async (_name, change) => {
    Object.assign(idp.behaviour['/acme'] as object, defaultBehaviour(alice), change);
    try {
      const agent = new CookieAgent(server.url);
      const res = await finish(agent, await throughLocal(agent, 'acme'));
      const html = await loginPageAfter(agent, res, 'failed');
      expect(html).toContain('Sign-in with Acme SSO did not complete.');
      const profile = await agent.fetch('/profile');
      expect(profile.status).toBe(302);
    } finally {
      Object.assign(idp.behaviour['/acme'] as object, defaultBehaviour(alice));
    }
  });

  it('a denial at the provider is reported as cancelled', async () => {
    (idp.behaviour['/acme'] as { deny: boolean }).deny = true;
    try {
      const agent = new CookieAgent(server.url);
      const res = await finish(agent, await throughLocal(agent, 'acme'));
      expect(await loginPageAfter(agent, res, 'denied')).toContain('Sign-in with Acme SSO was cancelled.');
    } finally {
      (idp.behaviour['/acme'] as { deny: boolean }).deny = false;
    }
  });
});

describe('Built-in OpenID providers pointed at the local provider with OAUTH2_{PROVIDER}_ISSUER', () => {
  it('google: signs in a new user named from preferred_username', async () => {
    idp.behaviour['/google'] = defaultBehaviour({
      sub: 'g-1',
      email: 'gina@gmail.test',
      email_verified: true,
      preferred_username: 'gina',
    });
    const agent = new CookieAgent(server.url);
    const res = await finish(agent, await throughLocal(agent, 'google'));
    expect(location(res, server.url).pathname).toBe('/profile');
    expect(await profileUsername(agent)).toBe('gina');
  });

  it('auth0: issuer with a trailing slash, client_secret_post only, e-mail from UserInfo', async () => {
    idp.behaviour['/auth0'] = {
      ...defaultBehaviour({ sub: 'auth0|42', email: 'zed@auth0.test', email_verified: true, name: 'Zed' }),
      emailInUserinfo: true,
    };
    const agent = new CookieAgent(server.url);
    const res = await finish(agent, await throughLocal(agent, 'auth0'));
    expect(location(res, server.url).pathname).toBe('/profile');
    expect(await profileUsername(agent)).toBe('zed');
  });

  it('microsoft (common tenant): the {tenantid} issuer is checked against the tid claim; azure is its alias', async () => {
    idp.behaviour['/common/v2.0'] = defaultBehaviour({
      sub: 'ms-sub-1',
      name: 'Mo Soft',
      email: 'mo@contoso.test',
    });
    const agent = new CookieAgent(server.url);
    const start = await agent.fetch('/auth/login/azure');
    expect(location(start, server.url).searchParams.get('redirect_uri')).toBe(
      `${server.url}/auth/callback/microsoft`,
    );
    const res = await finish(agent, await throughLocal(agent, 'microsoft'));
    expect(location(res, server.url).pathname).toBe('/profile');
    // Microsoft's e-mail is not verified: the account is named after the e-mail's local part all the same.
    expect(await profileUsername(agent)).toBe('mo');

    idp.behaviour['/common/v2.0'] = { ...defaultBehaviour({ sub: 'ms-sub-2' }), iss: 'wrong' };
    const other = new CookieAgent(server.url);
    await loginPageAfter(other, await finish(other, await throughLocal(other, 'microsoft')), 'failed');
  });
});

describe('GitHub (OAuth app flow) against a local server with GitHub endpoint shapes', () => {
  it('signs in with the numeric id as subject and the verified primary e-mail', async () => {
    gh.user = {
      id: 583231,
      login: 'octocat',
      name: 'The Octocat',
      emails: [
        { email: 'octo@other.test', primary: false, verified: true },
        { email: 'octocat@github.test', primary: true, verified: true },
      ],
    };
    const agent = new CookieAgent(server.url);
    const start = await agent.fetch('/auth/login/github');
    const authorize = location(start, server.url);
    expect(authorize.origin + authorize.pathname).toBe(`${gh.base}/login/oauth/authorize`);
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email');
    const cb = location(await fetch(authorize, { redirect: 'manual' }), authorize.href);
    const res = await agent.fetch(cb);
    expect(location(res, server.url).pathname).toBe('/profile');
    expect(await profileUsername(agent)).toBe('octocat');
    expect(await usersWithEmail(server, token, 'octocat@github.test')).toHaveLength(1);
  });

  it('an unverified primary e-mail is not kept; a denial returns to the login page', async () => {
    gh.user = {
      id: 9,
      login: 'nomail',
      name: null,
      emails: [{ email: 'x@y.test', primary: true, verified: false }],
    };
    const agent = new CookieAgent(server.url);
    const res = await finish(agent, await throughLocal(agent, 'github'));
    expect(res.status).toBe(302);
    expect(await usersWithEmail(server, token, 'x@y.test')).toHaveLength(0);

    gh.deny = true;
    try {
      const denied = new CookieAgent(server.url);
      const back = await finish(denied, await throughLocal(denied, 'github'));
      expect(await loginPageAfter(denied, back, 'denied')).toContain('Sign-in with GitHub was cancelled.');
    } finally {
      gh.deny = false;
    }
  });
});

describe('Linking by e-mail (OAUTH2_SOCIAL_LINK_BY_EMAIL)', () => {
  async function localUser(target: TestServer, bearer: string, email: string, verified: boolean) {
    const username = `local-${randomBytes(4).toString('hex')}`;
    const res = await fetch(`${target.url}/admin/api/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: `pw-${secret()}`, email, email_verified: verified }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return username;
  }

  async function signInAs(
    target: TestServer,
    provider: string,
    prefix: string,
    user: IdpUser,
  ): Promise<string> {
    idp.behaviour[prefix] = defaultBehaviour(user);
    const agent = new CookieAgent(target.url);
    const res = await finish(agent, await throughLocal(agent, provider));
    expect(location(res, target.url).pathname).toBe('/profile');
    return profileUsername(agent);
  }

  it('on: a verified upstream e-mail links to the one verified local user with it', async () => {
    const email = `linked-${randomBytes(3).toString('hex')}@corp.test`;
    const local = await localUser(linking, linkingToken, email, true);
    expect(await signInAs(linking, 'corp', '/link', { sub: `s-${email}`, email, email_verified: true })).toBe(
      local,
    );
    expect(await usersWithEmail(linking, linkingToken, email)).toHaveLength(1);
  });

  it('on: an unverified upstream e-mail, or an unverified local one, gets a new user', async () => {
    const email = `unv-${randomBytes(3).toString('hex')}@corp.test`;
    const local = await localUser(linking, linkingToken, email, true);
    const name = await signInAs(linking, 'corp', '/link', {
      sub: `u-${email}`,
      email,
      email_verified: false,
    });
    expect(name).not.toBe(local);

    const email2 = `unv2-${randomBytes(3).toString('hex')}@corp.test`;
    const local2 = await localUser(linking, linkingToken, email2, false);
    const name2 = await signInAs(linking, 'corp', '/link', {
      sub: `v-${email2}`,
      email: email2,
      email_verified: true,
    });
    expect(name2).not.toBe(local2);
    expect(await usersWithEmail(linking, linkingToken, email2)).toHaveLength(2);
  });

  it('off (the default): a verified e-mail still gets a new user', async () => {
    const email = `off-${randomBytes(3).toString('hex')}@acme.test`;
    const local = await localUser(server, token, email, true);
    const name = await signInAs(server, 'acme', '/acme', {
      sub: `o-${email}`,
      email,
      email_verified: true,
      preferred_username: local,
    });
    // The local username is taken: the new account gets a suffixed one.
    expect(name).not.toBe(local);
    expect(name.startsWith(`${local}-`)).toBe(true);
    idp.behaviour['/acme'] = defaultBehaviour(alice);
  });
});
