import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { ADMIN_ID, ADMIN_SECRET, adminToken, Browser, basic, ORIGIN } from './helpers';

/** Every endpoint that takes input, with how it expects its body. */
const ENDPOINTS = [
  { method: 'POST', path: '/oauth/token', body: 'form' },
  { method: 'POST', path: '/oauth/introspect', body: 'form' },
  { method: 'POST', path: '/oauth/revoke', body: 'form' },
  { method: 'POST', path: '/connect/register', body: 'json' },
  { method: 'PUT', path: '/connect/register/client_unknown', body: 'json' },
  { method: 'POST', path: '/oauth/userinfo', body: 'form' },
  { method: 'POST', path: '/admin/api/users', body: 'json' },
  { method: 'POST', path: '/oauth/device_authorization', body: 'form' },
  { method: 'POST', path: '/oauth/par', body: 'form' },
  { method: 'POST', path: '/mcp', body: 'json' },
] as const;

const FORM = 'application/x-www-form-urlencoded';
const auth = basic(ADMIN_ID, ADMIN_SECRET);

type Case = { name: string; headers?: Record<string, string>; body?: BodyInit; forms?: 'form' | 'json' };

const CASES: Case[] = [
  { name: 'no content type', body: 'grant_type=client_credentials' },
  { name: 'text/plain', headers: { 'Content-Type': 'text/plain' }, body: 'grant_type=client_credentials' },
  { name: 'multipart', headers: { 'Content-Type': 'multipart/form-data; boundary=x' }, body: '--x--' },
  { name: 'empty body', headers: { 'Content-Type': FORM }, body: '' },
  { name: 'oversized body', headers: { 'Content-Type': FORM }, body: `token=${'a'.repeat(200_000)}` },
  {
    name: 'lying content-length',
    headers: { 'Content-Type': FORM, 'Content-Length': '999999999' },
    body: 'a=b',
  },
  {
    name: 'malformed percent-encoding',
    headers: { 'Content-Type': FORM },
    body: 'grant_type=%zz&token=%E0%A4%A',
  },
  {
    name: 'invalid UTF-8',
    headers: { 'Content-Type': FORM },
    body: new Uint8Array([0x74, 0x3d, 0xff, 0xfe, 0xc3]),
  },
  {
    name: 'NUL byte',
    headers: { 'Content-Type': FORM },
    body: 'grant_type=client%00credentials&token=a%00b',
  },
  {
    name: 'repeated parameter',
    headers: { 'Content-Type': FORM },
    body: 'token=a&token=b&grant_type=x&grant_type=y',
  },
  {
    name: 'thousands of parameters',
    headers: { 'Content-Type': FORM },
    body: Array.from({ length: 2000 }, (_, i) => `p${i}=v`).join('&'),
  },
  { name: 'parameter name only', headers: { 'Content-Type': FORM }, body: '&&&=&==&grant_type' },
  { name: 'JSON to a form endpoint', headers: { 'Content-Type': 'application/json' }, body: '{"token":"x"}' },
  { name: 'broken JSON', headers: { 'Content-Type': 'application/json' }, body: '{"redirect_uris": [' },
  { name: 'JSON array', headers: { 'Content-Type': 'application/json' }, body: '[1,2,3]' },
  { name: 'JSON null', headers: { 'Content-Type': 'application/json' }, body: 'null' },
  {
    name: 'deeply nested JSON',
    headers: { 'Content-Type': 'application/json' },
    body: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
  },
  {
    name: 'wrong types in JSON',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: 'https://x.example/cb',
      grant_types: [1, null, {}],
      client_name: 42,
    }),
  },
  {
    name: 'garbage Basic credentials',
    headers: { 'Content-Type': FORM, Authorization: 'Basic !!!' },
    body: 'token=a',
  },
  {
    name: 'Basic without colon',
    headers: { 'Content-Type': FORM, Authorization: `Basic ${btoa('nocolon')}` },
    body: 'grant_type=client_credentials',
  },
  {
    name: 'Basic with bad percent-encoding',
    headers: { 'Content-Type': FORM, Authorization: `Basic ${btoa('%zz:%zz')}` },
    body: 'grant_type=client_credentials',
  },
  {
    name: 'huge Authorization header',
    headers: { 'Content-Type': FORM, Authorization: `Bearer ${'x'.repeat(8000)}` },
    body: 'a=b',
  },
  {
    name: 'garbage Bearer',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ,,, ;;' },
    body: '{}',
  },
];

describe('Hostile input: every endpoint answers 4xx JSON, never 5xx', () => {
  for (const endpoint of ENDPOINTS) {
    it.each(CASES)(`${endpoint.method} ${endpoint.path}: %s`, async (testCase) => {
      const headers: Record<string, string> = { ...testCase.headers };
      if (endpoint.body === 'form' && !headers.Authorization) headers.Authorization = auth;
      const res = await SELF.fetch(`${ORIGIN}${endpoint.path}`, {
        method: endpoint.method,
        headers,
        body: testCase.body,
      });
      const text = await res.text();
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(res.status, text).toBeLessThan(500);
      const body = JSON.parse(text) as { error: unknown; error_description: unknown };
      expect(typeof body.error).toBe('string');
      expect(typeof body.error_description).toBe('string');
    });
  }

  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    '%s on POST-only endpoints is 405 with Allow',
    async (method) => {
      for (const path of [
        '/oauth/token',
        '/oauth/introspect',
        '/oauth/revoke',
        '/oauth/device_authorization',
        '/oauth/par',
      ]) {
        const res = await SELF.fetch(`${ORIGIN}${path}`, { method });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        expect(((await res.json()) as { error: string }).error).toBe('method_not_allowed');
      }
    },
  );

  it('a path with encoded garbage is a 404 JSON', async () => {
    const res = await SELF.fetch(`${ORIGIN}/oauth/%E0%A4%A/%00..%2f..%2f`);
    expect(res.status).toBe(404);
  });
});

/** Browser endpoints answer the same hostile input with an HTML error page (4xx), never a 5xx. */
const BROWSER_ENDPOINTS = [
  { method: 'POST', path: '/oauth/consent' },
  { method: 'POST', path: '/oauth/authorize' },
  { method: 'POST', path: '/oauth/logout' },
  { method: 'POST', path: '/auth/login' },
  { method: 'POST', path: '/oauth/device/verify' },
  { method: 'POST', path: '/profile/connected-apps/revoke' },
] as const;

const BROWSER_CASES = CASES.filter((testCase) => !testCase.headers?.Authorization);

describe('Hostile input on browser endpoints: 4xx HTML error pages, never 5xx', () => {
  for (const endpoint of BROWSER_ENDPOINTS) {
    it.each(BROWSER_CASES)(`${endpoint.method} ${endpoint.path}: %s`, async (testCase) => {
      const res = await SELF.fetch(`${ORIGIN}${endpoint.path}`, {
        method: endpoint.method,
        headers: { ...testCase.headers },
        body: testCase.body,
        redirect: 'manual',
      });
      const text = await res.text();
      // A POST /oauth/logout without a session has nothing to end: 200 "signed out" is a fine answer.
      expect(res.status, text).toBeLessThan(500);
      if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/text\/html/);
    });
  }

  it.each([
    '/oauth/authorize?client_id=%zz',
    '/oauth/authorize?client_id=a&client_id=b',
    `/oauth/authorize?client_id=${'x'.repeat(20_000)}`,
    '/oauth/authorize?redirect_uri=javascript:alert(1)&client_id=admin-client',
    '/oauth/authorize?%00=1',
    '/oauth/logout?id_token_hint=not.a.jwt',
    '/oauth/logout?id_token_hint=eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    '/auth/login?return_to=%E0%A4%A',
  ])('GET %s is a 4xx page', async (path) => {
    const res = await SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get('location')).toBeNull();
  });
});

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** An unsigned JWT (alg none): never acceptable as a DPoP proof or a client assertion. */
const UNSIGNED_JWT = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: ADMIN_ID, sub: ADMIN_ID, aud: ORIGIN, exp: 4102444800, jti: 'x' })}.`;
const NOT_A_JWT = 'not.a.jwt';

type ParamCase = {
  name: string;
  params: Record<string, string> | string;
  headers?: Record<string, string>;
  /** The RFC error expected, when one answer is the only right one. */
  error?: string;
  /** Leave out the admin client's Basic credentials. */
  anonymous?: boolean;
};

/** Hostile parameters of the new grants, resource indicators, DPoP and JWT client assertions. */
const TOKEN_PARAM_CASES: ParamCase[] = [
  { name: 'device_code missing', params: { grant_type: DEVICE_GRANT }, error: 'invalid_request' },
  {
    name: 'device_code unknown',
    params: { grant_type: DEVICE_GRANT, device_code: 'garbage' },
    error: 'invalid_grant',
  },
  {
    name: 'device_code oversized',
    params: { grant_type: DEVICE_GRANT, device_code: 'd'.repeat(20_000) },
  },
  {
    name: 'device_code with control characters',
    params: { grant_type: DEVICE_GRANT, device_code: 'a\u0000b\r\nc' },
  },
  {
    name: 'device_code repeated',
    params: `grant_type=${encodeURIComponent(DEVICE_GRANT)}&device_code=a&device_code=b`,
    error: 'invalid_request',
  },
  { name: 'token exchange without subject_token', params: { grant_type: EXCHANGE_GRANT } },
  {
    name: 'token exchange with a garbage subject_token',
    params: { grant_type: EXCHANGE_GRANT, subject_token: 'garbage', subject_token_type: ACCESS_TOKEN_TYPE },
  },
  {
    name: 'token exchange with an unknown subject_token_type',
    params: { grant_type: EXCHANGE_GRANT, subject_token: 'garbage', subject_token_type: 'urn:x:y' },
  },
  {
    name: 'token exchange with an unsigned JWT subject_token',
    params: {
      grant_type: EXCHANGE_GRANT,
      subject_token: UNSIGNED_JWT,
      subject_token_type: ACCESS_TOKEN_TYPE,
    },
  },
  {
    name: 'token exchange with an actor_token but no actor_token_type',
    params: {
      grant_type: EXCHANGE_GRANT,
      subject_token: 'garbage',
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: 'garbage',
    },
  },
  {
    name: 'token exchange with an oversized subject_token',
    params: {
      grant_type: EXCHANGE_GRANT,
      subject_token: 's'.repeat(20_000),
      subject_token_type: ACCESS_TOKEN_TYPE,
    },
  },
  {
    name: 'relative resource',
    params: { grant_type: 'client_credentials', resource: '/mcp' },
    error: 'invalid_target',
  },
  {
    name: 'resource with a fragment',
    params: { grant_type: 'client_credentials', resource: 'https://api.example/#frag' },
    error: 'invalid_target',
  },
  {
    name: 'resource not a URI',
    params: { grant_type: 'client_credentials', resource: '%%%' },
  },
  {
    name: 'oversized resource',
    params: { grant_type: 'client_credentials', resource: `https://x.example/${'r'.repeat(20_000)}` },
  },
  {
    name: 'hundreds of resources',
    params: `grant_type=client_credentials&${Array.from({ length: 500 }, (_, i) => `resource=https%3A%2F%2Fr${i}.example%2F`).join('&')}`,
  },
  {
    name: 'resource javascript:',
    params: { grant_type: 'client_credentials', resource: 'javascript:alert(1)' },
  },
  {
    name: 'DPoP not a JWT',
    params: { grant_type: 'client_credentials' },
    headers: { DPoP: NOT_A_JWT },
    error: 'invalid_dpop_proof',
  },
  {
    name: 'DPoP unsigned (alg none)',
    params: { grant_type: 'client_credentials' },
    headers: { DPoP: UNSIGNED_JWT },
    error: 'invalid_dpop_proof',
  },
  {
    name: 'DPoP twice',
    params: { grant_type: 'client_credentials' },
    headers: { DPoP: `${UNSIGNED_JWT}, ${UNSIGNED_JWT}` },
    error: 'invalid_dpop_proof',
  },
  {
    name: 'DPoP oversized',
    params: { grant_type: 'client_credentials' },
    headers: { DPoP: `${'e'.repeat(6000)}.${'e'.repeat(6000)}.${'e'.repeat(6000)}` },
    error: 'invalid_dpop_proof',
  },
  {
    name: 'DPoP with a garbage header segment',
    params: { grant_type: 'client_credentials' },
    headers: { DPoP: `${b64url('[')}.${b64url({})}.AAAA` },
    error: 'invalid_dpop_proof',
  },
  {
    name: 'client_assertion not a JWT',
    params: {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: NOT_A_JWT,
    },
    anonymous: true,
    error: 'invalid_client',
  },
  {
    name: 'client_assertion unsigned (alg none)',
    params: {
      grant_type: 'client_credentials',
      client_id: ADMIN_ID,
      client_assertion_type: JWT_BEARER,
      client_assertion: UNSIGNED_JWT,
    },
    anonymous: true,
    error: 'invalid_client',
  },
  {
    name: 'client_assertion without its type',
    params: { grant_type: 'client_credentials', client_assertion: UNSIGNED_JWT },
    anonymous: true,
  },
  {
    name: 'client_assertion_type unknown',
    params: {
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:x',
      client_assertion: UNSIGNED_JWT,
    },
    anonymous: true,
  },
  {
    name: 'client_assertion oversized',
    params: {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: `${'a'.repeat(9000)}.${'a'.repeat(9000)}.${'a'.repeat(9000)}`,
    },
    anonymous: true,
  },
  {
    name: 'client_assertion and Basic together',
    params: {
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: UNSIGNED_JWT,
    },
  },
];

/** The same hostile parameters, sent to each client-authenticating endpoint. */
const PARAM_ENDPOINTS = [
  '/oauth/token',
  '/oauth/par',
  '/oauth/device_authorization',
  '/oauth/introspect',
  '/oauth/revoke',
];

async function expectJsonError(res: Response, error?: string): Promise<void> {
  const text = await res.text();
  expect(res.status, text).toBeGreaterThanOrEqual(400);
  expect(res.status, text).toBeLessThan(500);
  expect(res.headers.get('content-type'), text).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: unknown; error_description: unknown };
  if (error !== undefined) expect(body.error, text).toBe(error);
  expect(typeof body.error).toBe('string');
  expect(typeof body.error_description).toBe('string');
}

describe('Hostile parameters: device_code, token exchange, resource, DPoP, client assertions', () => {
  /** A confidential client registered for every grant, so each request reaches the grant's own checks. */
  let clientAuth = '';
  beforeAll(async () => {
    const res = await SELF.fetch(`${ORIGIN}/connect/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
      body: JSON.stringify({
        client_name: 'hostile-input',
        redirect_uris: ['https://app.example/cb'],
        grant_types: [
          'authorization_code',
          'refresh_token',
          'client_credentials',
          DEVICE_GRANT,
          EXCHANGE_GRANT,
        ],
        response_types: ['code'],
        scope: 'openid profile',
      }),
    });
    const text = await res.text();
    expect(res.status, text).toBe(201);
    const client = JSON.parse(text) as { client_id: string; client_secret: string };
    clientAuth = basic(client.client_id, client.client_secret);
  });

  it.each(TOKEN_PARAM_CASES)('POST /oauth/token: $name', async (testCase) => {
    const headers: Record<string, string> = { 'Content-Type': FORM, ...testCase.headers };
    if (!testCase.anonymous) headers.Authorization = clientAuth;
    const body =
      typeof testCase.params === 'string' ? testCase.params : new URLSearchParams(testCase.params).toString();
    const res = await SELF.fetch(`${ORIGIN}/oauth/token`, { method: 'POST', headers, body });
    await expectJsonError(res, testCase.error);
  });

  const clientCases = TOKEN_PARAM_CASES.filter(
    (testCase) => testCase.name.startsWith('client_assertion') || testCase.name.startsWith('DPoP'),
  );
  for (const path of PARAM_ENDPOINTS.slice(1)) {
    it.each(clientCases)(`POST ${path}: $name`, async (testCase) => {
      const headers: Record<string, string> = { 'Content-Type': FORM, ...testCase.headers };
      if (!testCase.anonymous) headers.Authorization = clientAuth;
      const params = { ...(testCase.params as Record<string, string>), token: 'x' };
      const res = await SELF.fetch(`${ORIGIN}${path}`, {
        method: 'POST',
        headers,
        body: new URLSearchParams(params).toString(),
      });
      // DPoP proofs are checked at the token endpoint; the other endpoints (PAR included, see the
      // hardening notes) do not bind to a proof yet and may ignore the header, but never answer 5xx.
      if (testCase.name.startsWith('DPoP')) {
        expect(res.status, await res.text()).toBeLessThan(500);
        return;
      }
      await expectJsonError(res, testCase.error);
    });
  }

  it.each([
    { name: 'response_type missing', params: { client_id: ADMIN_ID } },
    {
      name: 'request_uri pushed again',
      params: { request_uri: `${REQUEST_URI_PREFIX}abc` },
      error: 'invalid_request',
    },
    { name: 'request object', params: { request: UNSIGNED_JWT } },
    { name: 'oversized state', params: { response_type: 'code', state: 's'.repeat(20_000) } },
    { name: 'relative resource', params: { response_type: 'code', resource: '/x' } },
    {
      name: 'redirect_uri javascript:',
      params: { response_type: 'code', redirect_uri: 'javascript:alert(1)' },
    },
  ] as { name: string; params: Record<string, string>; error?: string }[])(
    'POST /oauth/par: $name',
    async ({ params, error }) => {
      const res = await SELF.fetch(`${ORIGIN}/oauth/par`, {
        method: 'POST',
        headers: { 'Content-Type': FORM, Authorization: clientAuth },
        body: new URLSearchParams(params).toString(),
      });
      await expectJsonError(res, error);
    },
  );

  it.each([
    { name: 'scope unknown', params: { scope: 'nope nada' } },
    { name: 'scope oversized', params: { scope: 's'.repeat(20_000) } },
    { name: 'scope with control characters', params: { scope: 'openid\u0000admin' } },
  ])('POST /oauth/device_authorization: $name', async ({ params }) => {
    const res = await SELF.fetch(`${ORIGIN}/oauth/device_authorization`, {
      method: 'POST',
      headers: { 'Content-Type': FORM, Authorization: clientAuth },
      body: new URLSearchParams(params).toString(),
    });
    await expectJsonError(res);
  });

  it.each([
    {
      name: 'resource with a device_code',
      params: { grant_type: DEVICE_GRANT, device_code: 'x', resource: 'https://a.example/' },
    },
    {
      name: 'resource widening a refresh token',
      params: { grant_type: 'refresh_token', refresh_token: 'x', resource: `${ORIGIN}/mcp` },
    },
    {
      name: 'forged auth_after on a code exchange',
      params: { grant_type: 'authorization_code', code: 'x', code_verifier: 'v'.repeat(43), auth_after: '0' },
    },
  ] as { name: string; params: Record<string, string> }[])(
    'POST /oauth/token: $name is a 4xx JSON error',
    async ({ params }) => {
      const res = await SELF.fetch(`${ORIGIN}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': FORM, Authorization: clientAuth },
        body: new URLSearchParams(params).toString(),
      });
      await expectJsonError(res);
    },
  );

  /** URLs the outbound policy refuses at registration, spelled as an attacker would. */
  it.each([
    'https://0x7f.0.0.1/jwks',
    'https://2130706433/jwks',
    'https://[::ffff:7f00:1]/jwks',
    'https://[fe80::1%25eth0]/jwks',
    'https://user:pass@jwks.example/jwks',
    'https://metadata.google.internal./x',
    `https://${'a'.repeat(3000)}.example/jwks`,
    'https://%00.example/jwks',
    'ftp://jwks.example/jwks',
    'https://',
  ])('POST /connect/register with jwks_uri %s is 400 invalid_client_metadata', async (jwksUri) => {
    const res = await SELF.fetch(`${ORIGIN}/connect/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
      body: JSON.stringify({
        redirect_uris: ['https://app.example/cb'],
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: jwksUri,
        backchannel_logout_uri: jwksUri,
      }),
    });
    await expectJsonError(res, 'invalid_client_metadata');
    expect(res.status).toBe(400);
  });

  it('POST /oauth/device_authorization with an unknown public client_id is invalid_client', async () => {
    const res = await SELF.fetch(`${ORIGIN}/oauth/device_authorization`, {
      method: 'POST',
      headers: { 'Content-Type': FORM },
      body: 'client_id=client_unknown',
    });
    await expectJsonError(res, 'invalid_client');
  });
});

describe('Hostile input on the protected resource metadata and /mcp', () => {
  it.each([
    '/.well-known/oauth-protected-resource/nope',
    '/.well-known/oauth-protected-resource/%00',
    '/.well-known/oauth-protected-resource/..%2f..%2fetc%2fpasswd',
    `/.well-known/oauth-protected-resource/${'x'.repeat(10_000)}`,
    '/.well-known/oauth-protected-resource/mcp/extra',
  ])('GET %s is a 404 JSON', async (path) => {
    const res = await SELF.fetch(`${ORIGIN}${path}`);
    await expectJsonError(res, 'not_found');
    expect(res.status).toBe(404);
  });

  it('GET /.well-known/oauth-protected-resource with a query or POST never errs with 5xx', async () => {
    const query = await SELF.fetch(`${ORIGIN}/.well-known/oauth-protected-resource?x=%zz&x=2`);
    expect(query.status).toBeLessThan(500);
    const posted = await SELF.fetch(`${ORIGIN}/.well-known/oauth-protected-resource`, {
      method: 'POST',
      body: 'x',
    });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(posted.status).toBeLessThan(500);
  });

  it.each(['GET', 'DELETE', 'PUT', 'PATCH'])(
    '%s /mcp without a token is 401 with resource_metadata',
    async (method) => {
      const res = await SELF.fetch(`${ORIGIN}/mcp`, { method });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
      await expectJsonError(res);
    },
  );

  it.each([
    { name: 'a token of another audience', authorization: 'admin' },
    { name: 'an unsigned JWT', authorization: `Bearer ${UNSIGNED_JWT}` },
    { name: 'two Bearer tokens', authorization: 'Bearer a, Bearer b' },
    { name: 'a DPoP scheme with garbage', authorization: 'DPoP ,,,' },
    { name: 'Basic credentials', authorization: auth },
  ])('POST /mcp with $name is 401 invalid_token, never 5xx', async ({ authorization }) => {
    const value = authorization === 'admin' ? `Bearer ${await adminToken()}` : authorization;
    const res = await SELF.fetch(`${ORIGIN}/mcp`, {
      method: 'POST',
      headers: {
        Authorization: value,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(res.status, await res.clone().text()).toBe(401);
    await expectJsonError(res);
  });

  describe('with a valid MCP token', () => {
    let mcpToken = '';
    beforeAll(async () => {
      const res = await SELF.fetch(`${ORIGIN}/oauth/token`, {
        method: 'POST',
        headers: { 'Content-Type': FORM, Authorization: auth },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'admin',
          resource: `${ORIGIN}/mcp`,
        }),
      });
      expect(res.status).toBe(200);
      mcpToken = ((await res.json()) as { access_token: string }).access_token;
    });

    it.each(['GET', 'DELETE', 'PUT', 'PATCH'])(
      '%s /mcp with a valid token is 405 with Allow: POST',
      async (method) => {
        const res = await SELF.fetch(`${ORIGIN}/mcp`, {
          method,
          headers: { Authorization: `Bearer ${mcpToken}`, Accept: 'text/event-stream' },
        });
        expect(res.status).toBe(405);
        expect(res.headers.get('allow')).toBe('POST');
        await expectJsonError(res, 'method_not_allowed');
      },
    );

    it.each([
      { name: 'broken JSON', body: '{"jsonrpc":' },
      { name: 'not JSON-RPC', body: '{"hello":"world"}' },
      { name: 'JSON null', body: 'null' },
      { name: 'an empty batch', body: '[]' },
      { name: 'a wrong jsonrpc version', body: '{"jsonrpc":"1.0","id":1,"method":"tools/list"}' },
      { name: 'an unknown method', body: '{"jsonrpc":"2.0","id":1,"method":"nope/nope"}' },
      {
        name: 'an unknown tool',
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope","arguments":{}}}',
      },
      {
        name: 'tool arguments of the wrong types',
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_clients","arguments":{"limit":"x"}}}',
      },
      { name: 'deeply nested JSON', body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
      {
        name: 'an oversized body',
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: 'p'.repeat(400_000) }),
      },
      { name: 'text/plain', body: 'hello', type: 'text/plain' },
      { name: 'no Accept', body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}', accept: '' },
    ] as { name: string; body: string; type?: string; accept?: string }[])(
      'POST /mcp with $name answers a 2xx/4xx, never 5xx',
      async ({ body, type, accept }) => {
        const headers: Record<string, string> = {
          Authorization: `Bearer ${mcpToken}`,
          'Content-Type': type ?? 'application/json',
        };
        if (accept !== '') headers.Accept = accept ?? 'application/json, text/event-stream';
        const res = await SELF.fetch(`${ORIGIN}/mcp`, { method: 'POST', headers, body });
        const text = await res.text();
        expect(res.status, text).toBeLessThan(500);
      },
    );
  });
});

/** A Worker with GitHub sign-in configured against an address nothing listens on. */
function upstreamServer() {
  const app = createApp();
  const configured = {
    ...env,
    OAUTH2_GITHUB_CLIENT_ID: 'gh-client',
    OAUTH2_GITHUB_CLIENT_SECRET: 'gh-secret-0123456789abcdef',
    OAUTH2_GITHUB_BASE_URL: 'http://127.0.0.1:9',
    OAUTH2_GITHUB_API_URL: 'http://127.0.0.1:9',
  } as Env;
  return (path: string, init: RequestInit = {}) =>
    app.request(`${ORIGIN}${path}`, { redirect: 'manual', ...init }, configured);
}

describe('Hostile input on the device verification, PAR authorization and upstream sign-in pages', () => {
  it.each([
    '/oauth/device/verify?user_code=%zz',
    '/oauth/device/verify?user_code=a&user_code=b',
    '/oauth/device/verify?%00=1',
    '/oauth/authorize?client_id=admin-client&request_uri=%zz',
    '/oauth/authorize?client_id=admin-client&request_uri=a&request_uri=b',
    `/oauth/authorize?client_id=admin-client&request_uri=${REQUEST_URI_PREFIX}unknown`,
    `/oauth/authorize?client_id=admin-client&request_uri=${REQUEST_URI_PREFIX}${'x'.repeat(20_000)}`,
    '/oauth/authorize?client_id=admin-client&request_uri=https://evil.example/req',
    `/oauth/authorize?request_uri=${REQUEST_URI_PREFIX}unknown`,
    '/oauth/authorize?client_id=admin-client&redirect_uri=javascript:alert(1)&resource=%zz',
    '/auth/login/nope',
    '/auth/login/%00',
    `/auth/login/${'x'.repeat(5000)}`,
    '/auth/callback/nope?code=a&state=b',
    '/auth/callback/%E0%A4%A?code=a',
  ])('GET %s is a 4xx page, never a redirect to anywhere unverified', async (path) => {
    const res = await SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });
    const text = await res.text();
    expect(res.status, text).toBeGreaterThanOrEqual(400);
    expect(res.status, text).toBeLessThan(500);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it.each([
    '/oauth/device/verify',
    '/oauth/device/verify?user_code=BCDF-GHJK',
    `/oauth/device/verify?user_code=${'x'.repeat(20_000)}`,
    '/oauth/device/verify?user_code=%3Cscript%3E',
  ])('GET %s without a session goes to the sign-in page on this origin', async (path) => {
    const res = await SELF.fetch(`${ORIGIN}${path}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith('/auth/login') || location.startsWith(`${ORIGIN}/auth/login`), location).toBe(
      true,
    );
    expect(location).not.toContain('<script>');
  });

  it.each([
    '/auth/callback/github',
    '/auth/callback/github?code=a',
    '/auth/callback/github?code=a&state=b',
    '/auth/callback/github?code=a&state=b&state=c',
    '/auth/callback/github?code=%zz&state=b',
    `/auth/callback/github?code=${'c'.repeat(20_000)}&state=b`,
    `/auth/callback/github?code=a&state=${'s'.repeat(20_000)}`,
    '/auth/callback/github?error=access_denied',
    '/auth/callback/github?error=%00&error_description=%3Cscript%3E&state=x',
    '/auth/login/github?return_to=%zz',
    '/auth/login/github?return_to=a&return_to=b',
    '/auth/login/github?return_to=https://evil.example/',
  ])(
    'GET %s with GitHub configured never errs with 5xx nor leaves this origin but for GitHub',
    async (path) => {
      const call = upstreamServer();
      const res = await call(path, { headers: { Cookie: 'upstream=garbage; __Host-upstream=garbage' } });
      const text = await res.text();
      expect(res.status, text).toBeLessThan(500);
      const location = res.headers.get('location');
      if (location !== null) {
        const target = new URL(location, ORIGIN);
        expect([ORIGIN, 'http://127.0.0.1:9'], location).toContain(target.origin);
      } else {
        expect(res.status, text).toBeGreaterThanOrEqual(400);
        expect(res.headers.get('content-type')).toMatch(/text\/html/);
      }
    },
  );

  it.each(['POST', 'PUT', 'DELETE'])('%s /auth/callback/github is 405, never 5xx', async (method) => {
    const res = await upstreamServer()('/auth/callback/github?code=a&state=b', { method, body: 'x' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });
});

describe('Hostile input from a signed-in browser: device verification and pushed requests', () => {
  let browser: Browser;
  beforeAll(async () => {
    const username = `hostile-${crypto.randomUUID().slice(0, 8)}`;
    const password = `pw-${crypto.randomUUID()}`;
    const created = await SELF.fetch(`${ORIGIN}/admin/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
      body: JSON.stringify({ username, password, email: `${username}@example.com` }),
    });
    expect(created.status).toBe(201);
    browser = new Browser();
    expect((await browser.signIn(username, password)).status).toBe(303);
  });

  it.each([
    '/oauth/device/verify?user_code=',
    '/oauth/device/verify?user_code=BCDF-GHJK',
    `/oauth/device/verify?user_code=${'B'.repeat(20_000)}`,
    '/oauth/device/verify?user_code=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
    '/oauth/device/verify?user_code=%F0%9F%98%80%F0%9F%98%80',
    '/oauth/device/verify?done=%3Cscript%3E',
  ])('GET %s answers a page (never 5xx, nothing reflected unescaped)', async (path) => {
    const res = await browser.get(path);
    const text = await res.text();
    expect(res.status, text).toBeLessThan(500);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(text).not.toContain('<script>alert(1)');
  });

  it.each([
    { name: 'no CSRF token', form: { user_code: 'BCDF-GHJK', decision: 'approve' }, csrf: false },
    { name: 'an unknown decision', form: { user_code: 'BCDF-GHJK', decision: 'maybe' }, csrf: true },
    { name: 'an unknown code approved', form: { user_code: 'BCDF-GHJK', decision: 'approve' }, csrf: true },
    { name: 'an oversized code', form: { user_code: 'B'.repeat(20_000), decision: 'approve' }, csrf: true },
    {
      name: 'a code of control characters',
      form: { user_code: '\u0000\u0001\u0002', decision: 'deny' },
      csrf: true,
    },
    { name: 'no code at all', form: { decision: 'approve' }, csrf: true },
  ] as { name: string; form: Record<string, string>; csrf: boolean }[])(
    'POST /oauth/device/verify with $name is a 4xx page',
    async ({ form, csrf }) => {
      const token = csrf ? await browser.tokenOf('/oauth/device/verify') : 'x';
      const res = await browser.postForm('/oauth/device/verify', { ...form, csrf_token: token });
      const text = await res.text();
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(res.status, text).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    },
  );

  it('a pushed request_uri is single use: the second authorization is an error, never 5xx', async () => {
    const verifier = `${crypto.randomUUID()}${crypto.randomUUID()}`;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const challenge = btoa(String.fromCharCode(...digest))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const registered = await SELF.fetch(`${ORIGIN}/connect/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
      body: JSON.stringify({ client_name: 'hostile-par', redirect_uris: ['https://app.example/cb'] }),
    });
    const client = (await registered.json()) as { client_id: string; client_secret: string };
    const pushed = await SELF.fetch(`${ORIGIN}/oauth/par`, {
      method: 'POST',
      headers: { 'Content-Type': FORM, Authorization: basic(client.client_id, client.client_secret) },
      body: new URLSearchParams({
        response_type: 'code',
        redirect_uri: 'https://app.example/cb',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }).toString(),
    });
    expect(pushed.status).toBe(201);
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    const path = `/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri })}`;
    const first = await browser.get(path);
    expect(first.status).toBeLessThan(500);
    const second = await browser.get(path);
    expect(second.status, await second.clone().text()).toBeLessThan(500);
    expect(second.status === 200 && (await second.text()).includes('request_id')).toBe(false);
    // Another client presenting the same reference gets nothing either.
    const stolen = await browser.get(
      `/oauth/authorize?${new URLSearchParams({ client_id: ADMIN_ID, request_uri })}`,
    );
    expect(stolen.status).toBeLessThan(500);
    expect(stolen.headers.get('location') ?? '').not.toContain('code=');
  });
});
