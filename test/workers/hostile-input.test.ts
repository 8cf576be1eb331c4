import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN_ID, ADMIN_SECRET, basic, ORIGIN } from './helpers';

/** Every endpoint that takes input, with how it expects its body. */
const ENDPOINTS = [
  { method: 'POST', path: '/oauth/token', body: 'form' },
  { method: 'POST', path: '/oauth/introspect', body: 'form' },
  { method: 'POST', path: '/oauth/revoke', body: 'form' },
  { method: 'POST', path: '/connect/register', body: 'json' },
  { method: 'PUT', path: '/connect/register/client_unknown', body: 'json' },
  { method: 'POST', path: '/oauth/userinfo', body: 'form' },
  { method: 'POST', path: '/admin/api/users', body: 'json' },
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
      for (const path of ['/oauth/token', '/oauth/introspect', '/oauth/revoke']) {
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
