/**
 * Upstream sign-in, the parts below the routes (test/node/federated-sign-in.test.ts drives the flows):
 * configuration (providers enabled by id + secret, issuers derived from tenant and domain, the azure alias,
 * OAUTH2_OIDC_PROVIDERS validation), discovery validation and its per-isolate cache (no shared in-flight
 * load), the JWKS refresh on an unknown key, calls through a deadline and the circuit breaker with a child
 * traceparent, the pending attempt in the AuthActor (single use, bound to the browser), usernames, GitHub's
 * primary e-mail.
 */
import { env } from 'cloudflare:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { newRequestId } from '../../src/oauth/sharded-id';
import { parseTraceparent } from '../../src/observability/traceparent';
import { CircuitBreaker } from '../../src/resilience';
import {
  basicAuth,
  clearDiscoveryCache,
  clearJwksCache,
  DISCOVERY_TTL_MS,
  discover,
  expectedIssuer,
  findProvider,
  JWKS_COOLDOWN_MS,
  newBinding,
  type OidcProviderConfig,
  parseMetadata,
  primaryEmail,
  savePending,
  takePending,
  type UpstreamHttp,
  UpstreamSignInError,
  upstreamHttp,
  usernameFor,
  verifyWithJwks,
} from '../../src/sign-in/upstream';
import { oauthContext } from '../../worker/wiring/services';

const STRONG = {
  OAUTH2_SESSION_KEY: 'a-strong-session-key-0123456789abcdef-kkkkkkkk',
  OAUTH2_KEY_ENCRYPTION_KEY: 'a-strong-key-encryption-key-0123456789abcdef',
};

function upstreamOf(vars: Record<string, string>) {
  const result = parseConfig({ ...STRONG, ...vars });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config.upstream;
}

function problemsOf(vars: Record<string, string>): string[] {
  const result = parseConfig({ ...STRONG, ...vars });
  return result.ok ? [] : result.problems;
}

describe('Upstream configuration (contracts.md "Upstream sign-in")', () => {
  it('enables a provider only when both its client id and secret are set', () => {
    expect(upstreamOf({}).providers).toEqual([]);
    const up = upstreamOf({ OAUTH2_GOOGLE_CLIENT_ID: 'g', OAUTH2_GOOGLE_CLIENT_SECRET: 's' });
    expect(up.providers.map((p) => [p.id, p.kind === 'oidc' ? p.issuer : ''])).toEqual([
      ['google', 'https://accounts.google.com'],
    ]);
    expect(problemsOf({ OAUTH2_GITHUB_CLIENT_ID: 'x' })).toEqual(['OAUTH2_GITHUB_CLIENT_SECRET is not set']);
    expect(problemsOf({ OAUTH2_OKTA_CLIENT_SECRET: 'x' })).toEqual(['OAUTH2_OKTA_CLIENT_ID is not set']);
  });

  it('derives issuers from the tenant and the domains; _ISSUER overrides them', () => {
    const creds = (p: string) => ({
      [`OAUTH2_${p}_CLIENT_ID`]: 'id',
      [`OAUTH2_${p}_CLIENT_SECRET`]: 'secret',
    });
    const up = upstreamOf({
      ...creds('MICROSOFT'),
      ...creds('OKTA'),
      ...creds('AUTH0'),
      OAUTH2_MICROSOFT_TENANT_ID: 'contoso.onmicrosoft.com',
      OAUTH2_OKTA_DOMAIN: 'dev-123456.okta.com',
      OAUTH2_AUTH0_DOMAIN: 'example.eu.auth0.com',
    });
    const issuers = Object.fromEntries(up.providers.map((p) => [p.id, p.kind === 'oidc' ? p.issuer : null]));
    expect(issuers).toEqual({
      microsoft: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      okta: 'https://dev-123456.okta.com',
      auth0: 'https://example.eu.auth0.com/',
    });
    const common = upstreamOf({ ...creds('MICROSOFT') }).providers[0] as OidcProviderConfig;
    expect(common.issuer).toBe('https://login.microsoftonline.com/common/v2.0');
    expect(common.tenantTemplate).toBe(true);
    const single = upstreamOf({
      ...creds('MICROSOFT'),
      OAUTH2_MICROSOFT_TENANT_ID: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    expect((single.providers[0] as OidcProviderConfig).tenantTemplate).toBe(false);
    const overridden = upstreamOf({
      ...creds('OKTA'),
      OAUTH2_OKTA_ISSUER: 'https://dev-1.okta.com/oauth2/default',
    });
    expect((overridden.providers[0] as OidcProviderConfig).issuer).toBe(
      'https://dev-1.okta.com/oauth2/default',
    );
    expect(problemsOf({ ...creds('OKTA') })).toEqual([
      'OAUTH2_OKTA_DOMAIN is not set (or OAUTH2_OKTA_ISSUER)',
    ]);
    expect(problemsOf({ ...creds('AUTH0') })).toEqual([
      'OAUTH2_AUTH0_DOMAIN is not set (or OAUTH2_AUTH0_ISSUER)',
    ]);
  });

  it('serves /auth/login/azure with the Microsoft settings unless Azure has its own', () => {
    const ms = { OAUTH2_MICROSOFT_CLIENT_ID: 'm', OAUTH2_MICROSOFT_CLIENT_SECRET: 's' };
    const alias = upstreamOf(ms);
    expect(findProvider(alias, 'azure')?.id).toBe('microsoft');
    expect(alias.providers.map((p) => p.id)).toEqual(['microsoft']);
    const own = upstreamOf({
      ...ms,
      OAUTH2_AZURE_CLIENT_ID: 'a',
      OAUTH2_AZURE_CLIENT_SECRET: 's',
      OAUTH2_AZURE_TENANT_ID: 'fabrikam.com',
    });
    const azure = findProvider(own, 'azure') as OidcProviderConfig;
    expect(azure.id).toBe('azure');
    expect(azure.issuer).toBe('https://login.microsoftonline.com/fabrikam.com/v2.0');
    expect(findProvider(own, '__proto__')).toBeNull();
    expect(findProvider(own, 'constructor')).toBeNull();
  });

  it('GitHub base URLs default to github.com and are overridable', () => {
    const gh = { OAUTH2_GITHUB_CLIENT_ID: 'g', OAUTH2_GITHUB_CLIENT_SECRET: 's' };
    expect(upstreamOf(gh).providers[0]).toMatchObject({
      baseUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
    });
    expect(
      upstreamOf({
        ...gh,
        OAUTH2_GITHUB_BASE_URL: 'https://ghe.corp/',
        OAUTH2_GITHUB_API_URL: 'https://ghe.corp/api/v3',
      }).providers[0],
    ).toMatchObject({ baseUrl: 'https://ghe.corp', apiUrl: 'https://ghe.corp/api/v3' });
    expect(problemsOf({ ...gh, OAUTH2_GITHUB_BASE_URL: 'http://github.example' })[0]).toMatch(
      /^OAUTH2_GITHUB_BASE_URL /,
    );
  });

  it('parses OAUTH2_OIDC_PROVIDERS and refuses malformed entries naming the setting only', () => {
    const entry = {
      id: 'corp',
      name: 'Corp',
      issuer: 'https://sso.corp.example',
      client_id: 'c',
      client_secret: 's',
    };
    const up = upstreamOf({ OAUTH2_OIDC_PROVIDERS: JSON.stringify([entry]) });
    expect(up.providers[0]).toMatchObject({
      kind: 'oidc',
      id: 'corp',
      name: 'Corp',
      scope: 'openid email profile',
    });
    const bad = [
      'not json',
      '{}',
      JSON.stringify([{ ...entry, id: 'Bad Id' }]),
      JSON.stringify([{ ...entry, id: 'google' }]),
      JSON.stringify([entry, entry]),
      JSON.stringify([{ ...entry, issuer: 'http://sso.corp.example' }]),
      JSON.stringify([{ ...entry, extra: 1 }]),
      JSON.stringify([{ ...entry, client_secret: '' }]),
    ];
    for (const value of bad) {
      const problems = problemsOf({ OAUTH2_OIDC_PROVIDERS: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0]).toMatch(/^OAUTH2_OIDC_PROVIDERS /);
      expect(problems[0]).not.toContain('"s"');
    }
  });

  it('OAUTH2_SOCIAL_LINK_BY_EMAIL is off by default', () => {
    expect(upstreamOf({}).linkByEmail).toBe(false);
    expect(upstreamOf({ OAUTH2_SOCIAL_LINK_BY_EMAIL: 'true' }).linkByEmail).toBe(true);
  });
});

const PROVIDER: OidcProviderConfig = {
  kind: 'oidc',
  id: 'idp',
  name: 'IdP',
  issuer: 'https://idp.example',
  clientId: 'client',
  clientSecret: 'secret',
  scope: 'openid',
  tenantTemplate: false,
};
const DOC = {
  issuer: 'https://idp.example',
  authorization_endpoint: 'https://idp.example/authorize',
  token_endpoint: 'https://idp.example/token',
  jwks_uri: 'https://idp.example/jwks',
};

/** An UpstreamHttp over a table of answers, counting calls per URL. */
function fakeHttp(answer: (url: string) => { status: number; json: unknown }) {
  const calls: string[] = [];
  const http: UpstreamHttp = {
    get: async (url) => {
      calls.push(url);
      return answer(url);
    },
    postForm: async (url) => {
      calls.push(url);
      return answer(url);
    },
  };
  return { http, calls };
}

describe('Provider metadata (OpenID Connect Discovery 1.0)', () => {
  beforeEach(() => clearDiscoveryCache());

  it('requires the published issuer to be the configured one (§4.3) and https endpoints', () => {
    expect(parseMetadata(PROVIDER, DOC).tokenAuthMethod).toBe('client_secret_basic');
    const refused = [
      { ...DOC, issuer: 'https://evil.example' },
      { ...DOC, token_endpoint: 'http://idp.example/token' },
      { ...DOC, jwks_uri: undefined },
      { ...DOC, userinfo_endpoint: 42 },
      [],
      'text',
    ];
    for (const doc of refused) expect(() => parseMetadata(PROVIDER, doc)).toThrow(UpstreamSignInError);
  });

  it('uses client_secret_post only when basic is not offered; keeps asymmetric algorithms only', () => {
    const meta = parseMetadata(PROVIDER, {
      ...DOC,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'],
      id_token_signing_alg_values_supported: ['HS256', 'none', 'ES256'],
    });
    expect(meta.tokenAuthMethod).toBe('client_secret_post');
    expect(meta.idTokenAlgorithms).toEqual(['ES256']);
  });

  it("accepts Microsoft's {tenantid} issuer for a multi-tenant endpoint and fills it from tid", () => {
    const ms = { ...PROVIDER, issuer: 'https://login.microsoftonline.com/common/v2.0', tenantTemplate: true };
    const meta = parseMetadata(ms, {
      ...DOC,
      issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      authorization_endpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    });
    const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';
    expect(expectedIssuer(meta, tid)).toBe(`https://login.microsoftonline.com/${tid}/v2.0`);
    expect(expectedIssuer(meta, '../evil')).toBeNull();
    expect(expectedIssuer(meta, undefined)).toBeNull();
    expect(() =>
      parseMetadata(
        { ...ms, tenantTemplate: false },
        { ...DOC, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' },
      ),
    ).toThrow();
    expect(() => parseMetadata(ms, { ...DOC, issuer: 'https://evil.example/{tenantid}/v2.0' })).toThrow();
  });

  it('is cached per isolate for its TTL; concurrent cold lookups each load for themselves', async () => {
    const { http, calls } = fakeHttp(() => ({ status: 200, json: DOC }));
    const t0 = 1_000_000;
    await discover(PROVIDER, http, t0);
    await discover(PROVIDER, http, t0 + 1000);
    expect(calls).toHaveLength(1);
    await discover(PROVIDER, http, t0 + DISCOVERY_TTL_MS);
    expect(calls).toHaveLength(2);
    clearDiscoveryCache();
    await Promise.all([discover(PROVIDER, http, t0), discover(PROVIDER, http, t0)]);
    expect(calls).toHaveLength(4);
  });

  it('a failed load is not cached', async () => {
    let status = 503;
    const { http, calls } = fakeHttp(() => ({ status, json: DOC }));
    await expect(discover(PROVIDER, http)).rejects.toBeInstanceOf(UpstreamSignInError);
    status = 200;
    await discover(PROVIDER, http);
    expect(calls).toHaveLength(2);
  });
});

describe('ID token signature keys (JWKS)', () => {
  beforeEach(() => clearJwksCache());

  it('refetches the key set once for an unknown kid, then not again within the cool-down', async () => {
    const a = await generateKeyPair('ES256');
    const b = await generateKeyPair('ES256');
    const jwkA = { ...(await exportJWK(a.publicKey)), kid: 'a', alg: 'ES256' };
    const jwkB = { ...(await exportJWK(b.publicKey)), kid: 'b', alg: 'ES256' };
    let keys = [jwkA];
    const { http, calls } = fakeHttp(() => ({ status: 200, json: { keys } }));
    const now = new Date();
    const sign = (key: CryptoKey, kid: string) =>
      new SignJWT({ nonce: 'n' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setIssuer('https://idp.example')
        .setSubject('s')
        .setAudience('client')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key);
    const options = {
      algorithms: ['ES256'],
      audience: 'client',
      issuer: 'https://idp.example',
      clockToleranceSecs: 60,
      maxAgeSecs: 600,
    };
    await verifyWithJwks(await sign(a.privateKey, 'a'), 'https://idp.example/jwks', http, 'idp', {
      ...options,
      currentDate: now,
    });
    expect(calls).toHaveLength(1);
    keys = [jwkA, jwkB];
    const later = new Date(now.getTime() + JWKS_COOLDOWN_MS);
    await verifyWithJwks(await sign(b.privateKey, 'b'), 'https://idp.example/jwks', http, 'idp', {
      ...options,
      currentDate: later,
    });
    expect(calls).toHaveLength(2);
    const foreign = await generateKeyPair('ES256');
    await expect(
      verifyWithJwks(await sign(foreign.privateKey, 'c'), 'https://idp.example/jwks', http, 'idp', {
        ...options,
        currentDate: later,
      }),
    ).rejects.toThrow(/unknown key/);
    expect(calls).toHaveLength(2);
  });
});

describe('Calls to a provider: deadline, circuit breaker, trace context', () => {
  const policy = { allowLoopback: false };
  const breaker = () =>
    new CircuitBreaker('upstream_test', {
      failureThreshold: 2,
      successThreshold: 1,
      openMs: 60_000,
      halfOpenMaxProbes: 1,
      now: Date.now,
    });

  it('times out into `unavailable`', async () => {
    const hang: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const http = upstreamHttp({ target: 't', timeoutMs: 50, policy, traceparent: null, fetch: hang });
    const error = await http.get('https://idp.example/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamSignInError);
    expect((error as UpstreamSignInError).reason).toBe('unavailable');
    expect((error as UpstreamSignInError).detail).toMatch(/timed out/);
  });

  it('opens the breaker after failures and then refuses without calling', async () => {
    const hostBreaker = breaker();
    let sent = 0;
    const failing: typeof fetch = async () => {
      sent++;
      return new Response('down', { status: 502 });
    };
    const http = upstreamHttp({
      target: 't',
      timeoutMs: 1000,
      policy,
      breaker: () => hostBreaker,
      traceparent: null,
      fetch: failing,
    });
    for (let i = 0; i < 2; i++)
      await expect(http.get('https://idp.example/x')).rejects.toMatchObject({ reason: 'unavailable' });
    await expect(http.get('https://idp.example/x')).rejects.toMatchObject({
      reason: 'unavailable',
      detail: 't: idp.example circuit open',
    });
    expect(sent).toBe(2);
  });

  it('sends a child traceparent of the request, no redirects followed, and refuses oversized bodies', async () => {
    const seen: { headers: Headers; redirect: string | undefined }[] = [];
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let body = '{"ok":true}';
    const capture: typeof fetch = async (_input, init) => {
      seen.push({ headers: new Headers(init?.headers), redirect: init?.redirect });
      return new Response(body, { status: 200 });
    };
    const http = upstreamHttp({
      target: 't',
      timeoutMs: 1000,
      policy,
      traceparent: parent,
      fetch: capture,
    });
    expect((await http.get('https://idp.example/x')).json).toEqual({ ok: true });
    const sent = parseTraceparent(seen[0]?.headers.get('traceparent'));
    expect(sent?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(sent?.parentId).not.toBe('00f067aa0ba902b7');
    expect(seen[0]?.redirect).toBe('manual');
    body = 'x'.repeat(600 * 1024);
    await expect(http.get('https://idp.example/x')).rejects.toMatchObject({ reason: 'failed' });
  });
});

describe('The pending attempt (AuthActor): single use, bound to the browser', () => {
  const config = () => {
    const result = parseConfig(env);
    if (!result.ok) throw new Error('test config');
    return result.config;
  };
  const pending = (expiresAt: number) => ({
    provider: 'okta',
    codeVerifier: 'v'.repeat(43),
    nonce: 'nonce',
    redirectUri: 'https://as.example/auth/callback/okta',
    returnTo: '/oauth/authorize?x=1',
    expiresAt,
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('is taken once, by the browser that holds the binding', async () => {
    const auth = oauthContext(env, config(), 'https://as.example/').auth;
    const state = newRequestId(16);
    const binding = newBinding();
    await savePending(auth, state, binding, pending(now() + 600), now(), 'challenge');
    expect(await takePending(auth, state, newBinding())).toBeNull();
    expect(await takePending(auth, state, undefined)).toBeNull();
    expect(await takePending(auth, state, binding)).toMatchObject({
      provider: 'okta',
      returnTo: '/oauth/authorize?x=1',
    });
    expect(await takePending(auth, state, binding)).toBeNull();
  });

  it('refuses malformed and expired states; an unsafe return_to becomes /profile', async () => {
    const auth = oauthContext(env, config(), 'https://as.example/').auth;
    const binding = newBinding();
    expect(await takePending(auth, 'nope', binding)).toBeNull();
    expect(await takePending(auth, newRequestId(16), 'bad binding')).toBeNull();
    const expired = newRequestId(16);
    await savePending(auth, expired, binding, pending(now() - 1), now(), 'c');
    expect(await takePending(auth, expired, binding)).toBeNull();
    const unsafe = newRequestId(16);
    await savePending(
      auth,
      unsafe,
      binding,
      { ...pending(now() + 600), returnTo: '//evil.example' },
      now(),
      'c',
    );
    expect((await takePending(auth, unsafe, binding))?.returnTo).toBe('/profile');
  });
});

describe('Usernames and GitHub e-mails', () => {
  const profile = { subject: 's', email: null, emailVerified: false, name: null, preferredUsername: null };

  it('derives a valid username from the profile, with a random suffix on later attempts', () => {
    expect(usernameFor({ ...profile, preferredUsername: 'Ada.Lovelace' }, 'okta', 0)).toBe('ada.lovelace');
    expect(usernameFor({ ...profile, email: 'José.Núñez@example.com' }, 'okta', 0)).toBe('jose.nunez');
    expect(usernameFor({ ...profile, name: '  --Ünïcode Name!! ' }, 'okta', 0)).toBe('unicode-name');
    expect(usernameFor({ ...profile, name: '漢字' }, 'github', 0)).toBe('github-user');
    expect(usernameFor(profile, 'okta', 0)).toBe('okta-user');
    expect(usernameFor({ ...profile, preferredUsername: 'x'.repeat(100) }, 'okta', 0)).toHaveLength(40);
    expect(usernameFor({ ...profile, preferredUsername: 'ada' }, 'okta', 1)).toMatch(/^ada-[a-z0-9x]{6}$/);
  });

  it("takes GitHub's primary address only when it is verified", () => {
    expect(
      primaryEmail([
        { email: 'a@x.test', primary: false, verified: true },
        { email: 'b@x.test', primary: true, verified: true },
      ]),
    ).toBe('b@x.test');
    expect(primaryEmail([{ email: 'b@x.test', primary: true, verified: false }])).toBeNull();
    expect(primaryEmail([null, 'x', { primary: true, verified: true, email: 'not an address' }])).toBeNull();
  });

  it('encodes client_secret_basic credentials form-encoded (RFC 6749 §2.3.1)', () => {
    expect(basicAuth('a b', 'p:w%')).toBe(`Basic ${btoa('a+b:p%3Aw%25')}`);
  });
});
