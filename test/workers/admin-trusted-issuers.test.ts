/**
 * Trusted issuers of the JWT bearer grant (RFC 7523 §2.1) for administrators: the JSON API (validation,
 * CRUD, admin scope), the admin pages as a browser signed in as the seed admin, and the audit log.
 */
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrustedIssuerView } from '../../src/admin/trusted-issuers';
import { AdminApi, api, json, signedIn, unique } from './admin-helpers';
import { adminToken, type Browser, expectOAuthError, ORIGIN, SEED_ADMIN } from './helpers';

const PATH = '/admin/api/trusted-issuers';

let admin: AdminApi;
let jwk: JWK;

const issuerName = () => `https://idp.example.com/${unique('iss')}`;

function body(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: issuerName(),
    jwks: { keys: [jwk] },
    allowed_subjects: ['alice'],
    allowed_scopes: ['read'],
    ...extra,
  };
}

beforeAll(async () => {
  admin = await AdminApi.create();
  const { publicKey } = await generateKeyPair('ES256', { extractable: true });
  jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
});

describe('Admin API: trusted issuers', () => {
  it('creates, reads, lists, replaces and deletes a trusted issuer', async () => {
    const input = body({ audience: 'https://as.example.com/aud' });
    const created = await admin.post<TrustedIssuerView>(PATH, input);
    expect(created).toMatchObject({
      issuer: input.issuer,
      jwks: { keys: [jwk] },
      jwks_uri: null,
      allowed_subjects: ['alice'],
      allowed_scopes: ['read'],
      audience: 'https://as.example.com/aud',
      enabled: true,
    });
    expect(await admin.get(`${PATH}/${created.id}`)).toEqual(created);
    const page = await admin.get<{ items: TrustedIssuerView[] }>(`${PATH}?limit=50`);
    expect(page.items.map((item) => item.id)).toContain(created.id);

    const replaced = await admin.put<TrustedIssuerView>(`${PATH}/${created.id}`, {
      issuer: created.issuer,
      jwks_uri: 'https://idp.example.com/jwks.json',
      allowed_subjects: ['*'],
      allowed_scopes: [],
      enabled: false,
    });
    expect(replaced).toMatchObject({
      jwks: null,
      jwks_uri: 'https://idp.example.com/jwks.json',
      audience: null,
      enabled: false,
    });
    expect(replaced.created_at).toBe(created.created_at);

    expect((await admin.call('DELETE', `${PATH}/${created.id}`)).status).toBe(204);
    await expectOAuthError(await admin.call('GET', `${PATH}/${created.id}`), 404, 'not_found');
    await expectOAuthError(await admin.call('DELETE', `${PATH}/${created.id}`), 404, 'not_found');
  });

  it('refuses a duplicate issuer with 409', async () => {
    const input = body();
    await admin.post(PATH, input);
    await expectOAuthError(
      await admin.call('POST', PATH, body({ issuer: input.issuer })),
      409,
      'invalid_request',
    );
  });

  it.each([
    ['neither jwks nor jwks_uri', { jwks: undefined }, /jwks/],
    ['both jwks and jwks_uri', { jwks_uri: 'https://idp.example.com/jwks' }, /jwks/],
    ['a private key', { jwks: { keys: [{ ...jwk, d: 'secret' }] } }, /jwks/],
    ['an http jwks_uri', { jwks: undefined, jwks_uri: 'http://idp.example.com/jwks' }, /jwks_uri/],
    ['a private-address jwks_uri', { jwks: undefined, jwks_uri: 'https://10.0.0.1/jwks' }, /jwks_uri/],
    ['no subjects', { allowed_subjects: [] }, /allowed_subjects/],
    ['* beside a subject', { allowed_subjects: ['*', 'alice'] }, /allowed_subjects/],
    ['scope admin', { allowed_scopes: ['admin'] }, /allowed_scopes/],
    ['scope openid', { allowed_scopes: ['openid'] }, /allowed_scopes/],
    ['this server as issuer', { issuer: ORIGIN }, /issuer/],
    ['an unknown field', { extra: true }, /extra/],
  ])('refuses %s (400 naming the field)', async (_name, extra, field) => {
    const res = await admin.call('POST', PATH, body(extra));
    const error = await expectOAuthError(res, 400, 'invalid_request');
    expect(error.error_description).toMatch(field);
  });

  it('needs the admin scope', async () => {
    await expectOAuthError(await api('GET', PATH), 401, 'invalid_token');
    await expectOAuthError(
      await api('GET', PATH, { token: await adminToken('read') }),
      403,
      'insufficient_scope',
    );
  });

  it('records an audit entry for each change, without keys', async () => {
    const created = await admin.post<TrustedIssuerView>(PATH, body());
    await admin.put(`${PATH}/${created.id}`, body({ issuer: created.issuer, enabled: false }));
    await admin.call('DELETE', `${PATH}/${created.id}`);
    const audit = await admin.get<{
      items: { action: string; target_id: string | null; metadata: unknown }[];
    }>('/admin/api/audit?limit=200');
    const mine = audit.items.filter((item) => item.target_id === created.id);
    expect(mine.map((item) => item.action).sort()).toEqual([
      'trusted_issuer.create',
      'trusted_issuer.delete',
      'trusted_issuer.update',
    ]);
    expect(JSON.stringify(mine)).toContain(created.issuer);
    expect(JSON.stringify(mine)).not.toContain(jwk.x as string);
  });
});

describe('Admin pages: trusted issuers', () => {
  let browser: Browser;
  let csrf: string;

  beforeAll(async () => {
    browser = await signedIn(SEED_ADMIN);
    csrf = await browser.tokenOf('/admin');
  });

  async function page(path: string): Promise<string> {
    const res = await browser.get(path);
    const html = await res.text();
    expect(res.status, `${path}: ${html.slice(0, 300)}`).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).not.toMatch(/<script/i);
    return html;
  }

  function submit(path: string, fields: Record<string, string>) {
    return browser.postForm(path, { csrf_token: csrf, ...fields });
  }

  it('creates an issuer by form, shows and edits it, and deletes it after confirmation', async () => {
    const list = await page('/admin/trusted-issuers');
    expect(list).toMatch(/<a href="\/admin\/trusted-issuers" aria-current="page">Trusted issuers<\/a>/);
    expect(await page('/admin/trusted-issuers/new')).toContain('name="jwks"');

    const issuer = issuerName();
    const created = await submit('/admin/trusted-issuers', {
      issuer,
      jwks: JSON.stringify({ keys: [jwk] }),
      allowed_subjects: 'alice\nbob',
      allowed_scopes: 'read write',
      enabled: 'on',
    });
    expect(created.status, await created.clone().text()).toBe(303);
    const location = new URL(created.headers.get('location') ?? '', ORIGIN).pathname;
    expect(location).toMatch(/^\/admin\/trusted-issuers\/[\w-]+$/);
    const shown = await page(location);
    expect(shown).toContain(issuer);
    expect(shown).toContain('Issuer trusted.');
    expect(await page('/admin/trusted-issuers')).toContain(issuer);

    const edited = await submit(location, {
      issuer,
      jwks_uri: 'https://idp.example.com/jwks.json',
      allowed_subjects: '*',
      allowed_scopes: 'read',
    });
    expect(edited.status).toBe(303);
    const id = location.split('/').pop() ?? '';
    expect(await admin.get(`${PATH}/${id}`)).toMatchObject({
      jwks: null,
      jwks_uri: 'https://idp.example.com/jwks.json',
      allowed_subjects: ['*'],
      enabled: false,
    });

    expect(await page(`${location}/delete`)).toContain(`Stop trusting ${issuer}?`);
    const deleted = await submit(`${location}/delete`, {});
    expect(deleted.status).toBe(303);
    await expectOAuthError(await admin.call('GET', `${PATH}/${id}`), 404, 'not_found');
  });

  it('shows a refused form again with the message at the field', async () => {
    const res = await submit('/admin/trusted-issuers', {
      issuer: issuerName(),
      jwks: '{not json',
      allowed_subjects: 'alice',
      allowed_scopes: '',
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('JWK Set');
    expect(html).toContain('{not json');
  });

  it('answers JSON for the API and never 500 for a malformed body', async () => {
    const res = await admin.call('POST', PATH, undefined, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(400);
    await json(await admin.call('GET', `${PATH}?limit=1`), 200);
  });
});
