/**
 * Rate limits on the endpoints added after the rate limiter: the invalid_client penalty on PAR and
 * device authorization (and on JWT client assertions that carry no client_id), and the global per-IP
 * rule on the device verification page, upstream sign-in, /mcp and the protected resource metadata.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { basic, expectOAuthError, ORIGIN } from './helpers';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FORM = 'application/x-www-form-urlencoded';

let counter = 0;
const fresh = (prefix: string) => `${prefix}-${++counter}-${crypto.randomUUID().slice(0, 8)}`;
/** RFC 5737 TEST-NET-2 addresses, one per call, so counts never spill across tests. */
const freshIp = () => `198.51.100.${(++counter % 250) + 1}`;

function server(vars: Record<string, string>) {
  const app = createApp();
  const configured = { ...env, OAUTH2_RATE_LIMIT_WINDOW_SECS: '3600', ...vars } as Env;
  return (path: string, init: RequestInit & { ip?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('CF-Connecting-IP', init.ip ?? freshIp());
    return app.request(`${ORIGIN}${path}`, { redirect: 'manual', ...init, headers }, configured);
  };
}

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
/** A client assertion that names `clientId` but is not signed: always invalid_client. */
const badAssertion = (clientId: string) =>
  `${b64url({ alg: 'none' })}.${b64url({ iss: clientId, sub: clientId, aud: ORIGIN, exp: 4102444800, jti: crypto.randomUUID() })}.`;

async function expectTooManyRequests(res: Response) {
  await expectOAuthError(res, 429, 'too_many_requests');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.headers.get('www-authenticate')).toBeNull();
}

describe('The invalid_client penalty on the new client-authenticating endpoints', () => {
  const vars = { OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: '3' };

  it.each(['/oauth/par', '/oauth/device_authorization'])(
    'POST %s: the 4th failure of one client_id from one address answers 429',
    async (path) => {
      const call = server(vars);
      const clientId = fresh('client');
      const ip = freshIp();
      const request = () =>
        call(path, {
          ip,
          method: 'POST',
          headers: { 'Content-Type': FORM, Authorization: basic(clientId, 'wrong') },
          body: 'response_type=code&scope=openid',
        });
      for (let i = 0; i < 3; i += 1) await expectOAuthError(await request(), 401, 'invalid_client');
      await expectTooManyRequests(await request());
    },
  );

  it('counts failed JWT client assertions without client_id under the client the assertion names', async () => {
    const call = server(vars);
    const clientId = fresh('jwt-client');
    const ip = freshIp();
    const request = () =>
      call('/oauth/token', {
        ip,
        method: 'POST',
        headers: { 'Content-Type': FORM },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_assertion_type: JWT_BEARER,
          client_assertion: badAssertion(clientId),
        }).toString(),
      });
    for (let i = 0; i < 3; i += 1) await expectOAuthError(await request(), 401, 'invalid_client');
    await expectTooManyRequests(await request());
    // The penalty is per client_id (and address): an assertion naming another client is still checked.
    const other = await call('/oauth/token', {
      ip,
      method: 'POST',
      headers: { 'Content-Type': FORM },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: JWT_BEARER,
        client_assertion: badAssertion(fresh('jwt-client')),
      }).toString(),
    });
    await expectOAuthError(other, 401, 'invalid_client');
  });
});

describe('The global per-IP limit covers the new pages and endpoints', () => {
  const vars = {
    OAUTH2_RATE_LIMIT_MAX_REQUESTS: '2',
    OAUTH2_GITHUB_CLIENT_ID: 'gh-client',
    OAUTH2_GITHUB_CLIENT_SECRET: 'gh-secret-0123456789abcdef',
    OAUTH2_GITHUB_BASE_URL: 'http://127.0.0.1:9',
    OAUTH2_GITHUB_API_URL: 'http://127.0.0.1:9',
  };

  it.each([
    '/oauth/device/verify',
    '/oauth/device/verify?user_code=BCDF-GHJK',
    '/auth/callback/github?code=a&state=b',
    '/auth/login/github',
  ])('GET %s: the 3rd request from one address is the 429 page', async (path) => {
    const call = server(vars);
    const ip = freshIp();
    const headers = { Accept: 'text/html' };
    for (let i = 0; i < 2; i += 1) expect((await call(path, { ip, headers })).status).not.toBe(429);
    const res = await call(path, { ip, headers });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('location')).toBeNull();
    // Another address is still served.
    expect((await call(path, { headers })).status).not.toBe(429);
  });

  it('POST /oauth/device/verify is counted as well', async () => {
    const call = server(vars);
    const ip = freshIp();
    const post = () =>
      call('/oauth/device/verify', {
        ip,
        method: 'POST',
        headers: { 'Content-Type': FORM, Accept: 'text/html' },
        body: 'user_code=BCDF-GHJK',
      });
    for (let i = 0; i < 2; i += 1) expect((await post()).status).not.toBe(429);
    expect((await post()).status).toBe(429);
  });

  it.each([
    { path: '/mcp', method: 'POST' },
    { path: '/.well-known/oauth-protected-resource/mcp', method: 'GET' },
    { path: '/oauth/par', method: 'POST' },
    { path: '/oauth/device_authorization', method: 'POST' },
  ])('$method $path: the 3rd request from one address is a 429 JSON', async ({ path, method }) => {
    const call = server(vars);
    const ip = freshIp();
    const request = () =>
      call(path, {
        ip,
        method,
        ...(method === 'POST' ? { headers: { 'Content-Type': FORM }, body: 'client_id=client_unknown' } : {}),
      });
    for (let i = 0; i < 2; i += 1) expect((await request()).status).not.toBe(429);
    await expectOAuthError(await request(), 429, 'too_many_requests');
  });
});
