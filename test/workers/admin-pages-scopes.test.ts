/**
 * The scope and API admin pages through the real Worker, as a browser signed in as the seed admin: the
 * lists say where each entry comes from, changes answer 303, built-in and configured entries are
 * read-only, and a refused delete (409) shows its message instead of failing.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { AdminApi, createServiceClient, signedIn, unique } from './admin-helpers';
import { Browser, ORIGIN, SEED_ADMIN, uniqueIp } from './helpers';

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
  expect(res.headers.get('cache-control')).toBe('no-store');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).not.toContain('unsafe');
  expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
  return html;
}

/** POST a form with the session's CSRF token. */
function submit(path: string, fields: Record<string, string> = {}, agent = browser, token = csrf) {
  return agent.postForm(path, { csrf_token: token, ...fields });
}

/** Asserts a 303 and answers its Location path. */
function seeOther(res: Response): string {
  expect(res.status).toBe(303);
  return new URL(res.headers.get('location') ?? '', ORIGIN).pathname;
}

/** A scope name no other test uses. */
const scopeName = () => `${unique('pages')}:read`;

async function createScopeByForm(name = scopeName()): Promise<string> {
  const location = seeOther(
    await submit('/admin/scopes', { name, description: 'Read the page test data', advertise: 'on' }),
  );
  expect(location).toBe(`/admin/scopes/by-name/${encodeURIComponent(name)}`);
  return name;
}

/** A browser signed in as the seed admin on a Worker with extra configuration. */
async function configuredAdmin(vars: Record<string, string>): Promise<{ agent: Browser; token: string }> {
  const app = createApp();
  const configured = { ...env, ...vars };
  const agent = new Browser(ORIGIN, uniqueIp(), async (url, init) => app.request(url, init, configured));
  expect((await agent.signIn(SEED_ADMIN.username, SEED_ADMIN.password)).status).toBe(303);
  return { agent, token: await agent.tokenOf('/admin') };
}

describe('Admin pages: scopes and APIs', () => {
  it('lists the built-in scopes read-only and the defined ones with a link, under Scopes in the navigation', async () => {
    const name = await createScopeByForm();
    const html = await page('/admin/scopes');
    expect(html).toContain('<h1>Scopes</h1>');
    expect(html).toMatch(/<a href="\/admin\/scopes" aria-current="page">Scopes<\/a>/);
    expect(html).toMatch(/<a href="\/admin\/resources">APIs<\/a>/);
    expect(html).toContain('<code>openid</code>');
    expect(html).toContain('built-in');
    expect(html).not.toContain('href="/admin/scopes/by-name/openid"');
    expect(html).toContain(`href="/admin/scopes/by-name/${encodeURIComponent(name)}"`);
    expect(html).toContain('defined here');
    expect(html).toContain('Read the page test data');
  });

  it('creates a scope by form (303), then it is listed and offered to APIs', async () => {
    const name = await createScopeByForm();
    const item = await page(`/admin/scopes/by-name/${encodeURIComponent(name)}`);
    expect(item).toContain('Scope created.');
    expect(item).toContain('Save changes');
    expect(item).toContain('Delete…');
    const listed = await admin.get<{ items: { name: string; source: string }[] }>('/admin/api/scopes');
    expect(listed.items).toContainEqual(expect.objectContaining({ name, source: 'admin' }));
    expect(await page('/admin/resources/new')).toContain(`name="scopes.${name}"`);
  });

  it('labels every field of the scope and API forms', async () => {
    for (const path of ['/admin/scopes/new', '/admin/resources/new']) {
      const html = await page(path);
      for (const [tag] of html.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
        if (/type="hidden"/.test(tag)) continue;
        const id = /\bid="([^"]+)"/.exec(tag)?.[1];
        expect(id, `${path}: ${tag}`).toBeTruthy();
        expect(html, `${path}: label for ${id}`).toContain(`for="${id}"`);
      }
    }
  });

  it('re-renders a refused scope form with the message and the input kept (400)', async () => {
    const res = await submit('/admin/scopes', { name: 'admin', description: 'Mine now' });
    const html = await res.text();
    expect(res.status).toBe(400);
    expect(html).toContain('Not saved.');
    expect(html).toContain('built-in scope admin cannot be defined');
    expect(html).toContain('value="Mine now"');
  });

  it('edits a scope: new description, no longer advertised', async () => {
    const name = await createScopeByForm();
    const path = `/admin/scopes/by-name/${encodeURIComponent(name)}`;
    expect(seeOther(await submit(path, { description: 'Renamed on the page' }))).toBe(path);
    const html = await page(path);
    expect(html).toContain('Changes saved.');
    expect(html).toContain('Renamed on the page');
    expect(html).toContain('not advertised');
    const scope = await admin.get<{ description: string; advertise: boolean }>(
      `/admin/api/scopes/${encodeURIComponent(name)}`,
    );
    expect(scope).toMatchObject({ description: 'Renamed on the page', advertise: false });
  });

  it('deletes a scope only after the confirmation step', async () => {
    const name = await createScopeByForm();
    const path = `/admin/scopes/by-name/${encodeURIComponent(name)}/delete`;
    const confirm = await page(path);
    expect(confirm).toContain(`Delete scope ${name}?`);
    expect(seeOther(await submit(path))).toBe('/admin/scopes');
    expect(await page('/admin/scopes')).toContain(`Scope ${name} deleted.`);
    expect((await admin.call('GET', `/admin/api/scopes/${encodeURIComponent(name)}`)).status).toBe(404);
  });

  it('shows the 409 of deleting a scope a client holds as a message, naming the client', async () => {
    const name = await createScopeByForm();
    const client = await createServiceClient(admin, { scope: name });
    const res = await submit(`/admin/scopes/by-name/${encodeURIComponent(name)}/delete`);
    const html = await res.text();
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toContain('role="alert"');
    expect(html).toContain(`is held by clients: ${client.client_id}`);
    expect(html).toContain('Delete scope');
  });

  it('creates an API with a scope, lists it with its token settings, edits and deletes it', async () => {
    const name = await createScopeByForm();
    const identifier = `https://${unique('api')}.example.com/orders`;
    const location = seeOther(
      await submit('/admin/resources', {
        identifier,
        name: 'Orders API',
        [`scopes.${name}`]: 'on',
        access_token_format: 'opaque',
        access_token_ttl_secs: '300',
      }),
    );
    expect(location).toMatch(/^\/admin\/resources\/[^/]+$/);
    const list = await page('/admin/resources');
    expect(list).toContain('<h1>APIs</h1>');
    expect(list).toContain(`<code>${identifier}</code>`);
    expect(list).toContain(`<code>${name}</code>`);
    expect(list).toContain('opaque, 300 s');
    expect(await page(`/admin/scopes/by-name/${encodeURIComponent(name)}`)).toContain(
      `<code>${identifier}</code>`,
    );

    const refused = await submit(location, { identifier, access_token_ttl_secs: 'soon' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('Access-token lifetime: must be a number of seconds.');

    expect(seeOther(await submit(location, { identifier, name: 'Orders', access_token_format: 'jwt' }))).toBe(
      location,
    );
    const edited = await page(location);
    expect(edited).toContain('<h1>Orders</h1>');
    expect(edited).toContain('jwt, default lifetime');

    expect(await page(`${location}/delete`)).toContain('Delete API Orders?');
    expect(seeOther(await submit(`${location}/delete`))).toBe('/admin/resources');
    expect(await page('/admin/resources')).not.toContain(identifier);
  });

  it('shows configured scopes and APIs as "from configuration", without edit or delete', async () => {
    const api = 'https://billing.example.com';
    const { agent, token } = await configuredAdmin({
      OAUTH2_SCOPES: 'x:y',
      OAUTH2_PROTECTED_RESOURCES: JSON.stringify([{ resource: api, scopes_supported: ['read'] }]),
    });
    const scopes = await page('/admin/scopes', agent);
    expect(scopes).toContain('<code>x:y</code>');
    expect(scopes).toContain('from configuration');
    expect(scopes).not.toContain('href="/admin/scopes/by-name/x%3Ay"');
    const scope = await page('/admin/scopes/by-name/x%3Ay', agent);
    expect(scope).toContain('This scope is from configuration');
    expect(scope).not.toContain('Save changes');
    expect(scope).not.toContain('Delete…');
    const refused = await submit('/admin/scopes/by-name/x%3Ay/delete', {}, agent, token);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('comes from configuration and is read-only');

    const apis = await page('/admin/resources', agent);
    expect(apis).toContain(`<code>${api}</code>`);
    expect(apis).toContain('from configuration');
    const item = await page(`/admin/resources/${encodeURIComponent(api)}`, agent);
    expect(item).toContain('OAUTH2_PROTECTED_RESOURCES');
    expect(item).not.toContain('Save changes');
    expect(item).not.toContain('Delete…');
  });
});
