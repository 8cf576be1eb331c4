/**
 * The scenarios: what each one sends, what counts as a correct answer, and the fixtures it needs, created
 * beforehand through the real flows (bench/lib/flows.mjs). `ours` is the JWT-access-token Worker, `opaque` the
 * same Worker with OAUTH2_ACCESS_TOKENS_OPAQUE=true, `peer` node-oidc-provider (bench/peer/oidc-provider.mjs).
 *
 * Every scenario has `name` (shared by both targets where both have it), `target` ('ours' | 'peer'),
 * `server` (whose processes' CPU is read), `what` (one line for the tables), and the request (see load.mjs).
 * Scenarios that use up an item per request (`consumes`) run a fixed number of requests from a pool filled
 * by `prepare(n)` just before; `prepare()` of the others refreshes their fixtures before each warm-up, and
 * `after()` restores what an interrupted run left in flight.
 */
import {
  authorizeCodes,
  basic,
  CODE_FLOW_SCOPE,
  clientCredentialsToken,
  codeExchangeBody,
  createGrants,
  createUser,
  FORM,
  loginFormFixture,
  peerAuthorizeCodes,
  peerCodeExchangeBody,
  peerCreateGrants,
  peerExchangeCode,
  pkcePair,
  pool,
  registerCodeClient,
  signInAndApprove,
} from './flows.mjs';

const includes = (needle) => (body) => body.includes(needle);
/** Accounts the login scenario signs in, in turn (at least the bench's connections). */
const LOGIN_ACCOUNTS = 16;

/** Grants of the refresh scenarios (the issue's "spread across 100 grants"). */
export const SPREAD_GRANTS = 100;

/** Everything the scenarios of our Worker need, made once per server through the real flows. */
async function ourFixtures(server) {
  const admin = await clientCredentialsToken(server, 'admin');
  const user = await createUser(server, admin);
  const client = await registerCodeClient(server, admin);
  const pkce = pkcePair();
  const { agent, code } = await signInAndApprove(server, client, user, pkce);
  const tokens = await (async () => {
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM },
      body: codeExchangeBody(code, pkce.verifier),
    });
    if (res.status !== 200) throw new Error(`first code exchange: ${res.status} ${await res.text()}`);
    return res.json();
  })();
  return { admin, user, client, pkce, agent, userinfoToken: tokens.access_token };
}

/** POST /oauth/token refresh_token of `client` (the body only). */
const refreshBody = (token) =>
  new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }).toString();

async function refreshOnce(server, client, token) {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM },
    body: refreshBody(token),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`refresh: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Benign retries (OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS): each grant's first refresh token is rotated once
 * in `prepare`, then every request presents it again and gets the same successor and a fresh access token
 * (and ID token). The Worker's work per request is a rotation's (successor HMAC, hashes, one TokenActor call,
 * the user lookup, ES256 access token, RS256 ID token); the actor only reads. With `grants` = 100 the calls
 * spread over ~100 TokenActor shards; with 1 they all queue on one object.
 */
function refreshRetryScenario(name, what, server, fx, grants) {
  let tokens = [];
  let i = 0;
  return {
    name,
    what,
    target: 'ours',
    server: 'ours',
    request: {
      url: `${server.url}/oauth/token`,
      method: 'POST',
      headers: { authorization: basic(fx.client.client_id, fx.client.client_secret), 'content-type': FORM },
    },
    verifyBody: includes('"refresh_token"'),
    async prepare() {
      // Fresh grants per run: the retry window counts from the rotation, and runs are minutes apart.
      const created = await createGrants(server, fx.agent, fx.client, fx.pkce, grants);
      tokens = created.map((t) => t.refresh_token);
      await pool(tokens.length, 8, (k) => refreshOnce(server, fx.client, tokens[k]));
      i = 0;
    },
    next: () => refreshBody(tokens[i++ % tokens.length]),
  };
}

/**
 * Real rotation on every request: 100 grants, each request presents the current token of an idle grant and
 * the answer's successor replaces it, so no token is presented twice and no grant has two requests in
 * flight. A request cut off at the end of a run is settled in `after()` by `settle(token)`: ours presents
 * it once more (a benign retry, or the rotation itself if the Worker never saw it); the peer has no retry
 * window, so there a token the server already rotated is reuse, and the grant is replaced by a fresh one.
 * `side`: `{ target, server, url, auth, mint(n) -> refresh tokens, settle(token) -> refresh token }`.
 */
function refreshRotateScenario(side) {
  /** @type {string[]} */
  let tokens = [];
  /** @type {number[]} */
  let idle = [];
  const inFlight = new Set();
  return {
    name: 'refresh_rotate',
    what: `refresh_token rotation chained over ${SPREAD_GRANTS} grants (a new successor every request)`,
    target: side.target,
    server: side.server,
    request: {
      url: side.url,
      method: 'POST',
      headers: { authorization: side.auth, 'content-type': FORM },
    },
    verifyBody: includes('"refresh_token"'),
    async prepare() {
      if (tokens.length > 0) return;
      tokens = await side.mint(SPREAD_GRANTS);
      idle = tokens.map((_, k) => k);
    },
    next(context) {
      const k = idle.shift();
      if (k === undefined) return undefined;
      inFlight.add(k);
      context.grant = k;
      return refreshBody(tokens[k]);
    },
    onResponse(status, body, context) {
      const k = context.grant;
      if (k === undefined) return;
      if (status === 200) {
        try {
          tokens[k] = JSON.parse(body).refresh_token ?? tokens[k];
        } catch {}
      }
      inFlight.delete(k);
      idle.push(k);
    },
    async after() {
      for (const k of [...inFlight]) {
        tokens[k] = await side.settle(tokens[k]);
        inFlight.delete(k);
        idle.push(k);
      }
    },
  };
}

function ourRefreshRotateScenario(server, fx) {
  return refreshRotateScenario({
    target: 'ours',
    server: 'ours',
    url: `${server.url}/oauth/token`,
    auth: basic(fx.client.client_id, fx.client.client_secret),
    mint: async (n) =>
      (await createGrants(server, fx.agent, fx.client, fx.pkce, n)).map((t) => t.refresh_token),
    settle: async (token) => (await refreshOnce(server, fx.client, token)).refresh_token,
  });
}

/** A scenario that uses up one pooled item per request (`makeItems(n)` fills the pool). */
function consuming(base, makeItems, toBody) {
  let items = [];
  return {
    ...base,
    consumes: true,
    async prepare(n) {
      items = await makeItems(n);
    },
    next: () => {
      const item = items.pop();
      return item === undefined ? undefined : toBody(item);
    },
  };
}

/**
 * Touches every TokenActor shard (256 by default) once, as steady traffic would have: creating a Durable
 * Object costs far more than calling a warm one, and the first requests of a run would pay for it.
 * 1,500 random grant ids leave a shard untouched with probability e^-5.9 (0.3 %).
 */
const SHARD_WARMING_TOKENS = 1500;

async function warmTokenShards(server, { introspect }) {
  const auth = basic(server.adminClientId, server.adminClientSecret);
  await pool(SHARD_WARMING_TOKENS, 8, async () => {
    const token = await clientCredentialsToken(server, 'read'); // opaque tokens: stored in their shard
    if (!introspect) return;
    const res = await fetch(`${server.url}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: new URLSearchParams({ token }).toString(),
    });
    await res.text(); // a JWT's introspection reads its grant's shard
  });
}

/** Our Worker's scenarios (JWT access tokens), in table order. */
export async function ourScenarios(server) {
  const fx = await ourFixtures(server);
  await warmTokenShards(server, { introspect: true });
  const adminAuth = basic(server.adminClientId, server.adminClientSecret);
  const jwt = await clientCredentialsToken(server, 'read');
  if (jwt.split('.').length !== 3) throw new Error('the JWT server issued a non-JWT access token');
  const login = await loginFormFixture(server, fx.user);
  // One account per connection, taken in turn: a real account has one sign-in in flight at a time, and the
  // sign-in throttle admits 10 attempts in flight per account and address (src/sign-in/login-throttle.ts).
  const loginBodies = await Promise.all(
    Array.from({ length: LOGIN_ACCOUNTS }, async () => {
      const user = await createUser(server, fx.admin);
      const body = new URLSearchParams(login.body);
      body.set('username', user.username);
      body.set('password', user.password);
      return body.toString();
    }),
  );
  let nextLogin = 0;
  const url = (p) => `${server.url}${p}`;
  const common = { target: 'ours', server: 'ours' };
  return [
    {
      ...common,
      name: 'health',
      what: 'GET /health: the bare route (the floor)',
      request: { url: url('/health'), method: 'GET' },
      verifyBody: includes('"healthy"'),
    },
    {
      ...common,
      name: 'discovery',
      what: 'GET /.well-known/openid-configuration',
      request: { url: url('/.well-known/openid-configuration'), method: 'GET' },
      verifyBody: includes('"issuer"'),
    },
    {
      ...common,
      name: 'jwks',
      what: 'GET the JWKS',
      request: { url: url('/.well-known/jwks.json'), method: 'GET' },
      verifyBody: includes('"keys"'),
    },
    {
      ...common,
      name: 'cc_jwt',
      what: 'client_credentials, RFC 9068 JWT access token signed ES256',
      request: {
        url: url('/oauth/token'),
        method: 'POST',
        headers: { authorization: adminAuth, 'content-type': FORM },
        body: 'grant_type=client_credentials&scope=read',
      },
      verifyBody: includes('"access_token"'),
    },
    {
      ...common,
      name: 'introspect_jwt',
      what:
        'introspection (RFC 7662) of one JWT access token, again and again (as a resource server does; ' +
        'after the first request the isolate knows the signature is valid, the revocation check runs every time)',
      request: {
        url: url('/oauth/introspect'),
        method: 'POST',
        headers: { authorization: adminAuth, 'content-type': FORM },
        body: new URLSearchParams({ token: jwt }).toString(),
      },
      verifyBody: includes('"active":true'),
    },
    consuming(
      {
        ...common,
        name: 'introspect_jwt_fresh',
        what: 'introspection of a JWT access token never seen before per request (full signature verification)',
        request: {
          url: url('/oauth/introspect'),
          method: 'POST',
          headers: { authorization: adminAuth, 'content-type': FORM },
        },
        verifyBody: includes('"active":true'),
      },
      (n) => pool(n, 8, () => clientCredentialsToken(server, 'read')),
      (token) => new URLSearchParams({ token }).toString(),
    ),
    consuming(
      {
        ...common,
        name: 'revoke',
        what: 'revocation (RFC 7009) of a fresh JWT access token per request',
        request: {
          url: url('/oauth/revoke'),
          method: 'POST',
          headers: { authorization: adminAuth, 'content-type': FORM },
        },
      },
      (n) => pool(n, 8, () => clientCredentialsToken(server, 'read')),
      (token) => new URLSearchParams({ token }).toString(),
    ),
    refreshRetryScenario(
      'refresh_spread',
      `refresh_token (benign retry) spread over ${SPREAD_GRANTS} grants`,
      server,
      fx,
      SPREAD_GRANTS,
    ),
    refreshRetryScenario(
      'refresh_concentrated',
      'refresh_token (benign retry), all on one grant',
      server,
      fx,
      1,
    ),
    ourRefreshRotateScenario(server, fx),
    consuming(
      {
        ...common,
        name: 'code_exchange',
        what: `authorization_code + PKCE redemption (${CODE_FLOW_SCOPE}): access, refresh and ID token`,
        request: {
          url: url('/oauth/token'),
          method: 'POST',
          headers: {
            authorization: basic(fx.client.client_id, fx.client.client_secret),
            'content-type': FORM,
          },
        },
        verifyBody: includes('"id_token"'),
      },
      (n) => authorizeCodes(server, fx.agent, fx.client, fx.pkce, n),
      (code) => codeExchangeBody(code, fx.pkce.verifier),
    ),
    {
      ...common,
      name: 'userinfo',
      what: 'GET /oauth/userinfo with a Bearer access token',
      request: {
        url: url('/oauth/userinfo'),
        method: 'GET',
        headers: { authorization: `Bearer ${fx.userinfoToken}` },
      },
      verifyBody: includes(`"sub":"${fx.user.id}"`),
    },
    {
      ...common,
      name: 'login',
      what: 'POST /auth/login (CSRF check, throttle, PBKDF2-SHA256 100k, new session): 303',
      request: {
        url: url('/auth/login'),
        method: 'POST',
        headers: { cookie: login.cookie, 'content-type': FORM },
        body: login.body,
      },
      next: () => {
        nextLogin = (nextLogin + 1) % loginBodies.length;
        return loginBodies[nextLogin];
      },
      expectStatus: 303,
      verifyHeaders: (headers) =>
        headers.location === '/profile' && /session=/.test(headers['set-cookie'] ?? ''),
    },
  ];
}

/** The opaque-token Worker's scenarios. */
export async function opaqueScenarios(server) {
  await warmTokenShards(server, { introspect: false });
  const auth = basic(server.adminClientId, server.adminClientSecret);
  const token = await clientCredentialsToken(server, 'read');
  if (token.split('.').length === 3) throw new Error('the opaque server issued a JWT access token');
  const common = { target: 'ours', server: 'opaque' };
  return [
    {
      ...common,
      name: 'cc_opaque',
      what: 'client_credentials, opaque access token (stored as a hash in its TokenActor)',
      request: {
        url: `${server.url}/oauth/token`,
        method: 'POST',
        headers: { authorization: auth, 'content-type': FORM },
        body: 'grant_type=client_credentials&scope=read',
      },
      verifyBody: includes('"access_token"'),
    },
    {
      ...common,
      name: 'introspect_opaque',
      what: 'introspection (RFC 7662) of an opaque access token',
      request: {
        url: `${server.url}/oauth/introspect`,
        method: 'POST',
        headers: { authorization: auth, 'content-type': FORM },
        body: new URLSearchParams({ token }).toString(),
      },
      verifyBody: includes('"active":true'),
    },
  ];
}

/** The emulator's floor (lib/server.mjs startFloorServer): the same GET on a Worker that runs no code of ours. */
export function floorScenario(floor) {
  return {
    target: 'ours',
    server: 'floor',
    name: 'runtime_floor',
    what: 'GET on a bare Worker (one `new Response`) under the same Miniflare: the emulator floor, no code of ours',
    request: { url: `${floor.url}/health`, method: 'GET' },
    verifyBody: includes('"ok"'),
  };
}

/**
 * The peer's user-facing flows, mirroring ours: its code-flow client (client_secret_basic), PKCE S256 with one
 * verifier, `openid profile email offline_access`, codes from its authorization endpoint through its
 * interaction API (lib/flows.mjs peerAuthorizeCodes: a new grant per code), refresh tokens rotated on use.
 */
async function peerCodeFlowScenarios(peer) {
  const pkce = pkcePair();
  const auth = basic(peer.codeClient.client_id, peer.codeClient.client_secret);
  const [first] = await peerAuthorizeCodes(peer, pkce, 1);
  const { access_token: userinfoToken } = await peerExchangeCode(peer, first, pkce.verifier);
  const common = { target: 'peer', server: 'peer' };
  const tokenRequest = {
    url: `${peer.url}/token`,
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
  };
  /** Presents a refresh token once; when the peer already rotated it (a cut-off request), a fresh grant's. */
  const settle = async (token) => {
    const res = await fetch(tokenRequest.url, { ...tokenRequest, body: refreshBody(token) });
    const text = await res.text();
    if (res.status === 200) return JSON.parse(text).refresh_token;
    if (res.status !== 400 || !text.includes('invalid_grant')) {
      throw new Error(`peer refresh: ${res.status} ${text.slice(0, 300)}`);
    }
    return (await peerCreateGrants(peer, pkce, 1))[0].refresh_token;
  };
  return [
    refreshRotateScenario({
      target: 'peer',
      server: 'peer',
      url: tokenRequest.url,
      auth,
      mint: async (n) => (await peerCreateGrants(peer, pkce, n)).map((t) => t.refresh_token),
      settle,
    }),
    consuming(
      {
        ...common,
        name: 'code_exchange',
        what: `authorization_code + PKCE redemption (${peer.codeFlowScope}): access (opaque, its userinfo token), refresh and RS256 ID token`,
        request: tokenRequest,
        verifyBody: includes('"id_token"'),
      },
      (n) => peerAuthorizeCodes(peer, pkce, n),
      (code) => peerCodeExchangeBody(peer, code, pkce.verifier),
    ),
    {
      ...common,
      name: 'userinfo',
      what: 'GET /me (userinfo) with the Bearer access token of a code-flow grant',
      request: {
        url: `${peer.url}/me`,
        method: 'GET',
        headers: { authorization: `Bearer ${userinfoToken}` },
      },
      verifyBody: includes(`"sub":"${peer.accountId}"`),
    },
  ];
}

/** node-oidc-provider's scenarios (see bench/peer/oidc-provider.mjs). */
export async function peerScenarios(peer) {
  const auth = basic(peer.clientId, peer.clientSecret);
  const issue = async (extra) => {
    const res = await fetch(`${peer.url}/token`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: peer.scope, ...extra }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`peer client_credentials: ${res.status} ${text}`);
    return JSON.parse(text).access_token;
  };
  const opaque = await issue({});
  const jwt = await issue({ resource: peer.resource });
  if (opaque.split('.').length === 3 || jwt.split('.').length !== 3) {
    throw new Error('the peer did not issue one opaque and one JWT access token');
  }
  const common = { target: 'peer', server: 'peer' };
  const token = (body) => ({
    url: `${peer.url}/token`,
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
    body: new URLSearchParams(body).toString(),
  });
  return [
    {
      ...common,
      name: 'health',
      what: 'GET /health: a bare Node http route in front of the provider',
      request: { url: `${peer.url}/health`, method: 'GET' },
      verifyBody: includes('"healthy"'),
    },
    {
      ...common,
      name: 'discovery',
      what: 'GET /.well-known/openid-configuration',
      request: { url: `${peer.url}/.well-known/openid-configuration`, method: 'GET' },
      verifyBody: includes('"issuer"'),
    },
    {
      ...common,
      name: 'jwks',
      what: 'GET the JWKS',
      request: { url: `${peer.url}/jwks`, method: 'GET' },
      verifyBody: includes('"keys"'),
    },
    {
      ...common,
      name: 'cc_jwt',
      what: 'client_credentials with `resource` (RFC 8707): JWT signed ES256',
      request: token({ grant_type: 'client_credentials', scope: peer.scope, resource: peer.resource }),
      verifyBody: (body) => /"access_token":"[^".]+\.[^".]+\.[^".]+"/.test(body),
    },
    {
      ...common,
      name: 'cc_opaque',
      what: 'client_credentials: opaque token (in-memory adapter)',
      request: token({ grant_type: 'client_credentials', scope: peer.scope }),
      verifyBody: (body) => /"access_token":"[^".]+"/.test(body),
    },
    {
      ...common,
      name: 'introspect_opaque',
      what: 'introspection of an opaque token',
      request: {
        url: `${peer.url}/token/introspection`,
        method: 'POST',
        headers: { authorization: auth, 'content-type': FORM },
        body: new URLSearchParams({ token: opaque }).toString(),
      },
      verifyBody: includes('"active":true'),
    },
    ...(await peerCodeFlowScenarios(peer)),
  ];
}
