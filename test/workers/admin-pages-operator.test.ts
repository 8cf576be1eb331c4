/**
 * The admin pages as an operator reads them, through the real Worker: grants name their clients and
 * users, the bootstrap admin client is listed (read-only, from configuration), audit details are
 * `key: value` lines, an unknown admin page keeps the navigation, and every scope name has a page. Also the
 * sign-in and consent pages naming the application asking (name, https logo, policy and terms links).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { detailLines } from '../../templates/admin/logs';
import { AdminApi, api, codeFlow, createTestUser, createWebClient, signedIn, unique } from './admin-helpers';
import { Browser, inputValue, ORIGIN, pkce, SEED_ADMIN } from './helpers';

let admin: AdminApi;
let browser: Browser;
let csrf: string;

beforeAll(async () => {
  admin = await AdminApi.create();
  browser = await signedIn(SEED_ADMIN);
  csrf = await browser.tokenOf('/admin');
});

/** GET a page: 200 HTML with the page headers and no script; answers the HTML. */
async function page(path: string, agent = browser): Promise<string> {
  const res = await agent.get(path);
  const html = await res.text();
  expect(res.status, `${path}: ${html.slice(0, 500)}`).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).not.toContain('unsafe');
  expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
  return html;
}

function submit(path: string, fields: Record<string, string> = {}, agent = browser, token = csrf) {
  return agent.postForm(path, { csrf_token: token, ...fields });
}

function seeOther(res: Response): string {
  expect(res.status).toBe(303);
  const location = new URL(res.headers.get('location') ?? '', ORIGIN);
  return `${location.pathname}${location.search}`;
}

/** The directives of a CSP header, by name. */
function directives(csp: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (csp ?? '').split(';')) {
    const [name = '', ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values.join(' '));
  }
  return map;
}

const ADMIN_NAV = 'aria-label="Admin sections"';

describe('Admin grants page: names, not raw ids', () => {
  it('shows the client name and the username with the ids as secondary text', async () => {
    const user = await createTestUser(admin);
    const clientName = unique('Grant app');
    const web = await createWebClient(admin, { client_name: clientName });
    const grant = await codeFlow(web, user);
    const html = await page(`/admin/grants?user_id=${user.id}`);
    expect(html).toContain(grant.grantId);
    expect(html).toContain(
      `<a href="/admin/clients/${web.client_id}" title="${web.client_id}">${clientName}</a>`,
    );
    expect(html).toContain(`<a href="/admin/users/${user.id}" title="${user.id}">${user.username}</a>`);
    expect(html).toContain(`<span class="hint"><code>${web.client_id}</code></span>`);
    expect(html).toContain(`<span class="hint"><code>${user.id}</code></span>`);
  });

  it('falls back to the id when the client or the user is gone', async () => {
    const user = await createTestUser(admin);
    const web = await createWebClient(admin, { client_name: unique('Gone app') });
    const grant = await codeFlow(web, user);
    expect((await admin.call('DELETE', `/admin/api/clients/${web.client_id}`)).status).toBe(204);
    expect((await admin.call('DELETE', `/admin/api/users/${user.id}`)).status).toBe(204);
    const html = await page(`/admin/grants?client_id=${web.client_id}`);
    expect(html).toContain(grant.grantId);
    expect(html).toContain(`<code>${web.client_id}</code><span class="hint">deleted</span>`);
    expect(html).toContain(`<code>${user.id}</code><span class="hint">deleted</span>`);
    expect(html).not.toContain(user.username);
  });
});

describe('Admin clients: the bootstrap admin client', () => {
  it('is listed first, marked "from configuration", and found by search', async () => {
    const html = await page('/admin/clients');
    const row = /<tr><td><a href="\/admin\/clients\/admin-client">([^<]+)<\/a>[\s\S]*?<\/tr>/.exec(html);
    expect(row?.[1]).toBe('Bootstrap admin client');
    expect(row?.[0]).toContain('from configuration');
    expect(html.indexOf('/admin/clients/admin-client')).toBeLessThan(html.indexOf('/admin/clients/client_'));
    expect(await page('/admin/clients?q=bootstrap')).toContain('href="/admin/clients/admin-client"');
    expect(await page(`/admin/clients?q=${unique('nomatch')}`)).not.toContain('admin-client');
  });

  it('has a read-only detail page: the badge, no edit, enable, rotate or delete', async () => {
    const html = await page('/admin/clients/admin-client');
    expect(html).toContain('from configuration');
    expect(html).toContain('defined by configuration');
    for (const absent of [
      'Save changes',
      'Disable',
      'Rotate secret',
      'Delete…',
      '/admin/clients/admin-client/',
    ]) {
      expect(html).not.toContain(absent);
    }
  });

  it('refuses changes on the pages (403) as the admin API does', async () => {
    for (const path of ['/admin/clients/admin-client/rotate', '/admin/clients/admin-client/delete']) {
      expect((await browser.get(path)).status, path).toBe(403);
      expect((await submit(path)).status, path).toBe(403);
    }
    const edit = await submit('/admin/clients/admin-client', { client_name: 'Mine now', enabled: 'on' });
    expect(edit.status).toBe(403);
    expect(await edit.text()).toContain('defined by configuration');
    expect((await submit('/admin/clients/admin-client/enabled', { enabled: 'false' })).status).toBe(403);
    // The admin API: still listed nowhere, readable, and every change 403.
    const listed = await admin.get<{ items: { client_id: string }[] }>('/admin/api/clients?limit=200');
    expect(listed.items.some((item) => item.client_id === 'admin-client')).toBe(false);
    expect((await admin.call('GET', '/admin/api/clients/admin-client')).status).toBe(200);
    expect((await admin.call('PUT', '/admin/api/clients/admin-client', { client_name: 'x' })).status).toBe(
      403,
    );
    expect((await admin.call('DELETE', '/admin/api/clients/admin-client')).status).toBe(403);
    expect((await admin.call('POST', '/admin/api/clients/admin-client/secret')).status).toBe(403);
    expect(await page('/admin/clients/admin-client')).toContain('Bootstrap admin client');
  });
});

describe('Admin audit log: readable details', () => {
  it('flattens metadata into key: value lines (dotted keys, arrays as compact JSON)', () => {
    expect(
      detailLines({
        client_name: 'Shop <b>',
        grant_types: ['client_credentials', 'refresh_token'],
        enabled: true,
        filter: { client_id: null, user_id: 'u1', deeper: { n: 2 } },
        empty: {},
        text: '',
      }),
    ).toEqual([
      ['client_name', 'Shop <b>'],
      ['grant_types', '["client_credentials","refresh_token"]'],
      ['enabled', 'true'],
      ['filter.client_id', '—'],
      ['filter.user_id', 'u1'],
      ['filter.deeper.n', '2'],
      ['empty', '{}'],
      ['text', '""'],
    ]);
  });

  it('shows a change made on the pages as escaped key: value lines, not JSON', async () => {
    const name = `${unique('Audit')} <i>&`;
    const location = seeOther(
      await submit('/admin/clients', {
        client_name: name,
        'grant_types.client_credentials': 'on',
        'scope.read': 'on',
        token_endpoint_auth_method: 'client_secret_basic',
        enabled: 'on',
      }),
    );
    const clientId = decodeURIComponent(location.split('/').pop() as string);
    const user = await createTestUser(admin);
    seeOther(await submit(`/admin/grants/revoke-all?user_id=${user.id}`));
    const html = await page('/admin/audit?limit=200');
    const row = new RegExp(`<tr>(?:(?!<tr>)[\\s\\S])*href="/admin/clients/${clientId}"[\\s\\S]*?</tr>`).exec(
      html,
    )?.[0];
    expect(row).toBeDefined();
    const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(row).toContain(`<li><span class="key">client_name</span>: ${escaped}</li>`);
    expect(row).toContain('<li><span class="key">grant_types</span>: [&quot;client_credentials&quot;]</li>');
    expect(row).toContain('<li><span class="key">enabled</span>: true</li>');
    expect(row).not.toContain('{&quot;');
    expect(row).not.toContain('<i>');
    // The bulk revocation's nested filter, with dotted keys.
    expect(html).toContain(`<li><span class="key">filter.user_id</span>: ${user.id}</li>`);
  });
});

describe('Admin 404: the admin layout', () => {
  it('keeps the navigation for an unknown admin page and an unknown record', async () => {
    const unknown = await browser.get('/admin/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^text\/html/);
    expect(unknown.headers.get('cache-control')).toBe('no-store');
    const html = await unknown.text();
    expect(html).toContain(ADMIN_NAV);
    expect(html).toContain('<h1>Not found</h1>');
    expect(html).toContain('There is no admin page at this address.');
    expect(html).not.toMatch(/<a [^>]*aria-current="page"/);

    const record = await browser.get('/admin/clients/client_unknown');
    expect(record.status).toBe(404);
    const recordHtml = await record.text();
    expect(recordHtml).toContain(ADMIN_NAV);
    expect(recordHtml).toMatch(/<a href="\/admin\/clients" aria-current="page">Clients<\/a>/);
    expect(recordHtml).toContain('No such client.');
  });

  it('still sends an anonymous browser to sign in, a non-admin to /profile, and keeps the API JSON', async () => {
    const anonymous = new Browser();
    const res = await anonymous.get('/admin/nothing-here');
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') ?? '', ORIGIN).pathname).toBe('/auth/login');
    expect((await api('GET', '/admin/api/nothing-here')).status).toBe(401);
    const user = await signedIn(await createTestUser(admin));
    const nonAdmin = await user.get('/admin/nothing-here');
    expect(nonAdmin.status).toBe(302);
    expect(nonAdmin.headers.get('location')).toBe('/profile');
    const apiMissing = await admin.call('GET', '/admin/api/nothing-here');
    expect(apiMissing.status).toBe(404);
    expect(apiMissing.headers.get('content-type')).toMatch(/^application\/json/);
    const apiFromBrowser = await browser.get('/admin/api/clients/client_unknown');
    expect(apiFromBrowser.status).toBe(404);
    expect(apiFromBrowser.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('Admin scopes: every valid name has a page', () => {
  it.each(['new', 'by-name'])('a scope named %s is reachable, editable and deletable', async (name) => {
    const created = await submit('/admin/scopes', {
      name,
      description: `The ${name} scope`,
      advertise: 'on',
    });
    const location = seeOther(created);
    expect(location).toBe(`/admin/scopes/by-name/${name}`);
    const html = await page(location);
    expect(html).toContain(`<h1>${name}</h1>`);
    expect(html).toContain(`The ${name} scope`);
    expect(await page('/admin/scopes')).toContain(`href="/admin/scopes/by-name/${name}"`);
    expect(await page('/admin/scopes/new')).toContain('<h1>New scope</h1>');
    expect(seeOther(await submit(location, { description: 'Edited' }))).toBe(location);
    expect(await page(location)).toContain('Edited');
    expect(seeOther(await submit(`${location}/delete`))).toBe('/admin/scopes');
    expect((await browser.get(location)).status).toBe(404);
  });
});

/** An authorization request of `client` by an anonymous browser: the sign-in page it is sent to. */
async function authorizeAnonymously(clientId: string, agent: Browser): Promise<string> {
  const { challenge } = await pkce();
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: 'https://console.example.com/cb',
    scope: 'openid read',
    state: 'st',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const res = await agent.get(`/oauth/authorize?${query}`);
  expect(res.status, await res.clone().text()).toBe(302);
  const location = new URL(res.headers.get('location') ?? '', ORIGIN);
  expect(location.pathname).toBe('/auth/login');
  return `${location.pathname}${location.search}`;
}

describe('Sign-in and consent pages name the application', () => {
  const logo = 'https://cdn.example.com/logo.png';
  const policy = 'https://shop.example.com/privacy';
  const tos = 'https://shop.example.com/terms';

  async function thirdPartyClient() {
    const name = `${unique('Shop')} <b>&`;
    const client = await createWebClient(admin, {
      client_name: name,
      first_party: false,
      logo_uri: logo,
      policy_uri: policy,
      tos_uri: tos,
    });
    const escaped = name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return { client, name, escaped };
  }

  it('the sign-in page reached from /oauth/authorize shows its name, logo and links; CSP allows https images', async () => {
    const { client, name, escaped } = await thirdPartyClient();
    const agent = new Browser();
    const loginPath = await authorizeAnonymously(client.client_id, agent);
    const res = await agent.get(loginPath);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain(`to continue to <strong>${escaped}</strong>`);
    expect(html).not.toContain(name);
    expect(html).toContain(
      `<img class="client-logo" src="${logo}" alt="${escaped} logo" width="48" height="48" referrerpolicy="no-referrer"/>`,
    );
    expect(html).toContain(`<a href="${policy}" rel="noopener noreferrer" target="_blank">`);
    expect(html).toContain(`<a href="${tos}" rel="noopener noreferrer" target="_blank">`);
    // No script but the passkey file under the page's nonce: the client's name and links inject none.
    const csp = directives(res.headers.get('content-security-policy'));
    const nonce = /^'nonce-([A-Za-z0-9_-]+)'$/.exec(csp.get('script-src') ?? '')?.[1];
    expect(html.match(/<script\b[^>]*>/gi)).toEqual([
      `<script nonce="${nonce}" src="/auth/passkeys.js" defer="">`,
    ]);
    expect(html).not.toMatch(/javascript:|\son[a-z]+=/i);
    expect(csp.get('img-src')).toBe("'self' data: https:");
    expect(csp.get('default-src')).toBe("'none'");

    // A failed attempt shows the page again, still naming the application.
    const returnTo = new URL(loginPath, ORIGIN).searchParams.get('return_to') as string;
    const failed = await agent.postForm('/auth/login', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      return_to: returnTo,
      username: 'nobody',
      password: 'wrong',
    });
    expect(failed.status).toBe(401);
    expect(await failed.text()).toContain(`to continue to <strong>${escaped}</strong>`);
  });

  it('names no application for a hand-made return_to (no request held for that client)', async () => {
    const { client } = await thirdPartyClient();
    const forged = [
      `/oauth/authorize?client_id=${client.client_id}`,
      `/oauth/authorize?client_id=${client.client_id}&request_uri=urn:ietf:params:oauth:request_uri:bogus`,
      `/elsewhere?client_id=${client.client_id}&request_uri=x`,
    ];
    for (const returnTo of forged) {
      const res = await new Browser().get(`/auth/login?${new URLSearchParams({ return_to: returnTo })}`);
      const html = await res.text();
      expect(res.status, returnTo).toBe(200);
      expect(html, returnTo).not.toContain('to continue to');
      expect(html, returnTo).not.toContain('<img');
      expect(directives(res.headers.get('content-security-policy')).get('img-src')).toBe("'self' data:");
    }
    // The request of another client does not name this one.
    const other = await thirdPartyClient();
    const agent = new Browser();
    const loginPath = await authorizeAnonymously(other.client.client_id, agent);
    const held = new URL(
      new URL(loginPath, ORIGIN).searchParams.get('return_to') as string,
      ORIGIN,
    ).searchParams.get('request_uri') as string;
    const swapped = `/oauth/authorize?${new URLSearchParams({ client_id: client.client_id, request_uri: held })}`;
    const res = await agent.get(`/auth/login?${new URLSearchParams({ return_to: swapped })}`);
    expect(await res.text()).not.toContain('to continue to');
  });

  it('the consent page shows the logo and the policy and terms links', async () => {
    const { client, escaped } = await thirdPartyClient();
    const user = await createTestUser(admin);
    const agent = new Browser();
    const loginPath = await authorizeAnonymously(client.client_id, agent);
    const login = await (await agent.get(loginPath)).text();
    const returnTo = new URL(loginPath, ORIGIN).searchParams.get('return_to') as string;
    const signedInRes = await agent.postForm('/auth/login', {
      csrf_token: inputValue(login, 'csrf_token') as string,
      return_to: returnTo,
      username: user.username,
      password: user.password,
    });
    expect(signedInRes.status).toBe(303);
    const consent = await agent.get(signedInRes.headers.get('location') as string);
    const html = await consent.text();
    expect(consent.status, html.slice(0, 300)).toBe(200);
    expect(html).toContain(`Allow <span>${escaped}</span> to access your account?`);
    expect(html).toContain(`<img class="client-logo" src="${logo}" alt="${escaped} logo"`);
    expect(html).toContain(`<a href="${policy}" rel="noopener noreferrer" target="_blank">`);
    expect(html).toContain(`<a href="${tos}" rel="noopener noreferrer" target="_blank">`);
    expect(directives(consent.headers.get('content-security-policy')).get('img-src')).toBe(
      "'self' data: https:",
    );
  });
});
