/**
 * The real flows the benchmark's fixtures come from, over HTTP like any client: admin API calls with the
 * bootstrap admin client's token, a user signed in through the login form (CSRF token, 303), consent approved
 * on the consent page once, then authorization codes from `GET /oauth/authorize` (remembered consent: one
 * 302 per code) and grants from redeeming them. The JS twin of test/node/support.ts.
 */
import { createHash, randomBytes } from 'node:crypto';

export const FORM = 'application/x-www-form-urlencoded';
/** Loopback redirect URI (RFC 8252 §7.3); nothing listens there, only the Location header is read. */
export const REDIRECT_URI = 'http://127.0.0.1:49152/cb';
/** What the code-flow client asks for: an ID token, userinfo claims and a refresh token. */
export const CODE_FLOW_SCOPE = 'openid profile email offline_access';

export const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function expectStatus(res, status, what) {
  const text = await res.text();
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

/** A token of the bootstrap admin client by client_credentials (`scope` e.g. `admin` or `read`). */
export async function clientCredentialsToken(server, scope) {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(server.adminClientId, server.adminClientSecret), 'content-type': FORM },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  return JSON.parse(await expectStatus(res, 200, `client_credentials (${scope})`)).access_token;
}

async function postJson(url, token, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return JSON.parse(await expectStatus(res, 201, `POST ${new URL(url).pathname}`));
}

/** A user created through `POST /admin/api/users`. */
export async function createUser(server, adminToken) {
  const username = `bench-${randomBytes(4).toString('hex')}`;
  const user = {
    username,
    password: `pw-${randomBytes(16).toString('base64url')}`,
    email: `${username}@example.com`,
    name: 'Ada Lovelace',
  };
  const created = await postJson(`${server.url}/admin/api/users`, adminToken, user);
  return { id: created.id, ...user };
}

/** A confidential code-flow client registered through RFC 7591 with the admin token. */
export function registerCodeClient(server, adminToken) {
  return postJson(`${server.url}/connect/register`, adminToken, {
    client_name: 'bench code-flow client',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_method: 'client_secret_basic',
  });
}

/** A cookie-keeping user agent over fetch that never follows redirects. */
export class CookieAgent {
  cookies = new Map();

  constructor(origin) {
    this.origin = origin;
  }

  cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async fetch(target, init = {}) {
    const url = new URL(target, this.origin);
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', this.cookieHeader());
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

  postForm(target, form) {
    return this.fetch(target, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: new URLSearchParams(form),
    });
  }
}

const decodeEntities = (value) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The `value` of every `<input name=… value=…>` of a page. */
export function formInputs(html) {
  const inputs = {};
  for (const [tag] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(tag)?.[1];
    if (name !== undefined && value !== undefined) inputs[decodeEntities(name)] = decodeEntities(value);
  }
  return inputs;
}

function locationOf(res, base) {
  const value = res.headers.get('location');
  if (!value) throw new Error(`status ${res.status} without Location`);
  return new URL(value, base);
}

/** PKCE S256 (RFC 7636): one verifier serves every code of a run (each code is still single-use). */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

function authorizationUrl(server, client, challenge) {
  const url = new URL('/oauth/authorize', server.url);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT_URI,
    scope: CODE_FLOW_SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('base64url'),
  }).toString();
  return url;
}

function codeOf(callback) {
  if (callback.origin + callback.pathname !== REDIRECT_URI)
    throw new Error(`unexpected redirect ${callback}`);
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback}`);
  return code;
}

/**
 * The user's part, once: authorize -> login form -> consent approved. Returns the signed-in agent (whose
 * consent is now remembered, so later authorization requests redirect with a code at once) and a first code.
 */
export async function signInAndApprove(server, client, user, pkce) {
  const agent = new CookieAgent(server.url);
  const authorize = await agent.fetch(authorizationUrl(server, client, pkce.challenge));
  await expectStatus(authorize, 302, 'authorize (signed out)');
  const loginUrl = locationOf(authorize, server.url);
  const loginPage = await agent.fetch(loginUrl);
  const loginForm = formInputs(await expectStatus(loginPage, 200, 'login page'));
  const signedIn = await agent.postForm('/auth/login', {
    ...loginForm,
    username: user.username,
    password: user.password,
  });
  await expectStatus(signedIn, 303, 'login POST');
  const consent = await agent.fetch(locationOf(signedIn, server.url));
  const consentHtml = await expectStatus(consent, 200, 'consent page');
  const consentForm = formInputs(consentHtml);
  const action = /<form[^>]*\baction="([^"]*)"/.exec(consentHtml)?.[1] ?? '/oauth/consent';
  const approved = await agent.postForm(decodeEntities(action), {
    csrf_token: consentForm.csrf_token,
    request_id: consentForm.request_id,
    decision: 'approve',
  });
  await expectStatus(approved, 303, 'consent approve');
  return { agent, code: codeOf(locationOf(approved, server.url)) };
}

/** One code from `GET /oauth/authorize` of a signed-in agent whose consent is remembered. */
export async function authorizeCode(server, agent, client, pkce) {
  const res = await agent.fetch(authorizationUrl(server, client, pkce.challenge));
  await expectStatus(res, 302, 'authorize (signed in)');
  return codeOf(locationOf(res, server.url));
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at a time; the results in order. */
export async function pool(n, concurrency, task) {
  const results = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return results;
}

/** `n` fresh codes (concurrency 8). */
export const authorizeCodes = (server, agent, client, pkce, n) =>
  pool(n, 8, () => authorizeCode(server, agent, client, pkce));

/** The token endpoint's form for redeeming `code`. */
export const codeExchangeBody = (code, verifier) =>
  new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  }).toString();

/** Redeems a code: `{ access_token, refresh_token, id_token, ... }`. */
export async function exchangeCode(server, client, code, verifier) {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM },
    body: codeExchangeBody(code, verifier),
  });
  const tokens = JSON.parse(await expectStatus(res, 200, 'code exchange'));
  if (!tokens.refresh_token) throw new Error('code exchange issued no refresh token');
  return tokens;
}

/** `n` grants through the real flow: a code each, redeemed (concurrency 8). */
export function createGrants(server, agent, client, pkce, n) {
  return pool(n, 8, async () =>
    exchangeCode(server, client, await authorizeCode(server, agent, client, pkce), pkce.verifier),
  );
}

/** The login form's fields for a fresh browser (CSRF cookie + token), for replaying the sign-in POST. */
export async function loginFormFixture(server, user) {
  const agent = new CookieAgent(server.url);
  const page = await agent.fetch('/auth/login');
  const form = formInputs(await expectStatus(page, 200, 'login page'));
  if (!form.csrf_token) throw new Error('no csrf_token on the login page');
  return {
    cookie: agent.cookieHeader(),
    body: new URLSearchParams({ ...form, username: user.username, password: user.password }).toString(),
  };
}

/**
 * The peer's (node-oidc-provider, bench/peer/oidc-provider.mjs) code flow, as its user agents see it:
 * `GET /auth` (code, PKCE S256, `prompt=consent`, so each code comes with a new grant as ours does), then
 * the redirects through its interaction route (which completes login and consent through oidc-provider's
 * interaction API) and `/auth/:uid`, until the redirect to the client with the code. One signed-in agent
 * per concurrent worker (the first code of each also signs in).
 */
export function peerAuthorizeCodes(peer, pkce, n, concurrency = 8) {
  const agents = Array.from({ length: Math.min(concurrency, n) }, () => new CookieAgent(peer.url));
  const codes = [];
  let next = 0;
  const worker = async (agent) => {
    while (next < n) {
      next += 1;
      codes.push(await peerAuthorizeCode(peer, agent, pkce));
    }
  };
  return Promise.all(agents.map(worker)).then(() => codes);
}

async function peerAuthorizeCode(peer, agent, pkce) {
  const url = new URL('/auth', peer.url);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: peer.codeClient.client_id,
    redirect_uri: peer.redirectUri,
    scope: peer.codeFlowScope,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    prompt: 'consent',
    state: randomBytes(8).toString('base64url'),
  }).toString();
  let target = url;
  for (let hop = 0; hop < 8; hop += 1) {
    const res = await agent.fetch(target);
    const text = await res.text();
    if (res.status < 300 || res.status >= 400) {
      throw new Error(`peer authorize: ${res.status} at ${target.pathname}: ${text.slice(0, 300)}`);
    }
    target = locationOf(res, peer.url);
    if (target.origin + target.pathname === peer.redirectUri) {
      const code = target.searchParams.get('code');
      if (!code) throw new Error(`peer authorize: no code in ${target}`);
      return code;
    }
  }
  throw new Error('peer authorize: too many redirects');
}

/** Redeems a code at the peer: `{ access_token, refresh_token, id_token, ... }`. */
export async function peerExchangeCode(peer, code, verifier) {
  const res = await fetch(`${peer.url}/token`, {
    method: 'POST',
    headers: {
      authorization: basic(peer.codeClient.client_id, peer.codeClient.client_secret),
      'content-type': FORM,
    },
    body: peerCodeExchangeBody(peer, code, verifier),
  });
  const tokens = JSON.parse(await expectStatus(res, 200, 'peer code exchange'));
  if (!tokens.refresh_token || !tokens.id_token)
    throw new Error('peer code exchange: no refresh or ID token');
  return tokens;
}

export const peerCodeExchangeBody = (peer, code, verifier) =>
  new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: peer.redirectUri,
    code_verifier: verifier,
  }).toString();

/** `n` grants at the peer through its code flow (concurrency 8). */
export async function peerCreateGrants(peer, pkce, n) {
  const codes = await peerAuthorizeCodes(peer, pkce, n);
  return pool(n, 8, (i) => peerExchangeCode(peer, codes[i], pkce.verifier));
}
