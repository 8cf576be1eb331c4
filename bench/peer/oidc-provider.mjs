/**
 * The benchmark's peer: node-oidc-provider (npm `oidc-provider`, 8.8.1, the newest that supports Node 20) in
 * its own Node process, configured for the scenarios both servers share:
 *   GET  /health                          a bare route in front of the provider (Node's floor, as ours is)
 *   GET  /.well-known/openid-configuration, GET /jwks (its JWKS path)
 *   POST /token  client_credentials       opaque (no `resource`), or an RFC 9068 JWT signed ES256 when the
 *                                         request names the resource server (RFC 8707 resource indicator)
 *   POST /token/introspection             RFC 7662, of an opaque token (JWT access tokens are not stored by
 *                                         oidc-provider, so it does not introspect them)
 *   GET  /auth, /auth/:uid                the authorization endpoint (code flow + PKCE S256) and its resume
 *   GET  /interaction/:uid                the bench's interaction route: it completes the interaction through
 *                                         oidc-provider's own API (`interactionDetails`, `Grant`,
 *                                         `interactionFinished`): login as the bench user, then consent
 *                                         (a new Grant of the requested OIDC scopes and claims), no HTML
 *   POST /token  authorization_code, refresh_token (rotated on every use), GET /me (userinfo)
 * Keys (ES256 for access tokens, RS256 for ID tokens) and the client secrets are fresh per process; storage is
 * an in-memory adapter without eviction (MemoryAdapter below). Started by bench/run.mjs with `fork`: it
 * answers the parent over IPC with `{ ready: { url, clientId, clientSecret, resource, scope, codeClient,
 * redirectUri, codeFlowScope, accountId } }`, and exits when the parent disconnects.
 *
 * The code-flow client matches ours (bench/lib/flows.mjs): confidential, `client_secret_basic`, PKCE S256,
 * `openid profile email offline_access`, the same loopback redirect URI; refresh tokens rotate on every use
 * (`rotateRefreshToken: true`, ours always rotates). Its access tokens are oidc-provider's userinfo tokens
 * (opaque, stored): an openid grant without a resource indicator, the only kind its userinfo endpoint accepts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const RESOURCE = 'https://api.bench.example';
const SCOPE = 'read';
/** As bench/lib/flows.mjs (REDIRECT_URI, CODE_FLOW_SCOPE): nothing listens there, only Location is read. */
const REDIRECT_URI = 'http://127.0.0.1:49152/cb';
const CODE_FLOW_SCOPE = 'openid profile email offline_access';
/** The one end user (ours: a user created through the admin API). */
const ACCOUNT = {
  sub: 'bench-user-1',
  name: 'Ada Lovelace',
  email: 'bench-user-1@example.com',
  email_verified: true,
};

/**
 * oidc-provider's own development adapter is an LRU of 1,000 entries: under load it evicts tokens still in
 * use (introspection then answers `active: false`). This one keeps every entry until it expires, as a real
 * store (and our Durable Objects) would.
 */
const stores = new Map();
class MemoryAdapter {
  constructor(name) {
    this.name = name;
    if (!stores.has(name)) stores.set(name, new Map());
    this.store = stores.get(name);
  }

  async upsert(id, payload, expiresIn) {
    this.store.set(id, {
      payload,
      expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY,
    });
    if (payload.grantId) {
      const grants = stores.get('grant-index') ?? new Map();
      stores.set('grant-index', grants);
      const ids = grants.get(payload.grantId) ?? [];
      ids.push([this.name, id]);
      grants.set(payload.grantId, ids);
    }
  }

  async find(id) {
    const entry = this.store.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.store.delete(id);
      return undefined;
    }
    return entry.payload;
  }

  async findByUid(uid) {
    for (const [id, entry] of this.store) if (entry.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode(userCode) {
    for (const [id, entry] of this.store) if (entry.payload.userCode === userCode) return this.find(id);
    return undefined;
  }

  async consume(id) {
    const entry = this.store.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    this.store.delete(id);
  }

  async revokeByGrantId(grantId) {
    const grants = stores.get('grant-index');
    for (const [name, id] of grants?.get(grantId) ?? []) stores.get(name)?.delete(id);
    grants?.delete(grantId);
  }
}

const jwk = (type, options, alg) => ({
  ...generateKeyPairSync(type, options).privateKey.export({ format: 'jwk' }),
  alg,
  use: 'sig',
  kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}`,
});

async function main() {
  const clientId = 'bench-client';
  const clientSecret = randomBytes(32).toString('base64url');
  const codeClient = { client_id: 'bench-code-client', client_secret: randomBytes(32).toString('base64url') };
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const url = `http://127.0.0.1:${address.port}`;

  const provider = new Provider(url, {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPE,
      },
      {
        ...codeClient,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: CODE_FLOW_SCOPE,
      },
    ],
    claims: {
      openid: ['sub'],
      profile: ['name'],
      email: ['email', 'email_verified'],
    },
    findAccount: (_ctx, sub) =>
      sub === ACCOUNT.sub ? { accountId: sub, claims: () => ({ ...ACCOUNT }) } : undefined,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { methods: ['S256'], required: () => true },
    // Ours rotates on every refresh; oidc-provider's default rotates only near expiry or for public clients.
    rotateRefreshToken: true,
    jwks: {
      keys: [jwk('ec', { namedCurve: 'P-256' }, 'ES256'), jwk('rsa', { modulusLength: 2048 }, 'RS256')],
    },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: [SCOPE, 'openid', 'offline_access', 'profile', 'email'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Callers see their own tokens (ours also lets an audience introspect; no scenario needs that).
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No `resource` parameter: no resource server, so an opaque access token.
        defaultResource: () => undefined,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) throw new Provider.errors.InvalidTarget();
          return {
            scope: SCOPE,
            audience: RESOURCE,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
        useGrantedResource: () => true,
      },
    },
    ttl: {
      ClientCredentials: 3600,
      AccessToken: 3600,
      AuthorizationCode: 600,
      IdToken: 3600,
      RefreshToken: 30 * 24 * 3600,
      Grant: 30 * 24 * 3600,
      Interaction: 3600,
      Session: 24 * 3600,
    },
  });
  // Errors are answers here (e.g. a 400 the bench would report); nothing is logged per request.
  provider.on('server_error', (_ctx, error) => console.error('peer server_error', error));

  const callback = provider.callback();
  const health = Buffer.from(JSON.stringify({ status: 'healthy' }));
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': health.length });
      res.end(health);
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
      interaction(provider, req, res).catch((error) => {
        console.error('peer interaction failed', error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      return;
    }
    callback(req, res);
  });

  process.on('disconnect', () => {
    server.close();
    process.exit(0);
  });
  process.send?.({
    ready: {
      url,
      clientId,
      clientSecret,
      resource: RESOURCE,
      scope: SCOPE,
      codeClient,
      redirectUri: REDIRECT_URI,
      codeFlowScope: CODE_FLOW_SCOPE,
      accountId: ACCOUNT.sub,
    },
  });
}

/**
 * The interaction the bench's user agent is sent to (the login and consent prompts), completed through
 * oidc-provider's interaction API as a login and consent page would after the user's answers: login as the
 * bench user; consent to everything asked, in a new Grant (ours: a new grant per code). 303 back to
 * /auth/:uid (interactionFinished).
 */
async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: ACCOUNT.sub } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (prompt.name !== 'consent') throw new Error(`unexpected prompt ${prompt.name}`);
  const grant = new provider.Grant({ accountId: session?.accountId, clientId: params.client_id });
  const missing = prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
