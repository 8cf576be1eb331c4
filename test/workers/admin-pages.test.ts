/**
 * The admin pages (HTML forms under /admin) through the real Worker, as a browser signed in as the seed
 * admin: every page renders, every change needs the CSRF token and answers 303, a refused change shows
 * the form again with the message and the input, and a new client secret is shown exactly once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AdminApi,
  clientCredentials,
  codeFlow,
  createTestUser,
  createWebClient,
  json,
  signedIn,
  unique,
} from './admin-helpers';
import { Browser, inputValue, SEED_ADMIN } from './helpers';
import { eventually } from './telemetry-helpers';

let admin: AdminApi;
let browser: Browser;
let csrf: string;

beforeAll(async () => {
  admin = await AdminApi.create();
  browser = await signedIn(SEED_ADMIN);
  csrf = await browser.tokenOf('/admin');
});

/** GET a page: 200 HTML with the page headers; answers the HTML. */
async function page(path: string, agent = browser): Promise<string> {
  const res = await agent.get(path);
  const html = await res.text();
  expect(res.status, `${path}: ${html.slice(0, 500)}`).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/form-action 'self'/);
  expect(csp).not.toContain('unsafe');
  expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
  return html;
}

/** POST a form with the session's CSRF token (unless `fields` sets its own). */
function submit(path: string, fields: Record<string, string> = {}, agent = browser, token = csrf) {
  return agent.postForm(path, { csrf_token: token, ...fields });
}

/** Asserts a 303 and answers its Location path (with query). */
function seeOther(res: Response): string {
  expect(res.status).toBe(303);
  const location = new URL(res.headers.get('location') ?? '', 'http://localhost');
  return `${location.pathname}${location.search}`;
}

function clientForm(fields: Record<string, string> = {}): Record<string, string> {
  return {
    client_name: unique('Page client'),
    'grant_types.client_credentials': 'on',
    'scope.read': 'on',
    token_endpoint_auth_method: 'client_secret_basic',
    enabled: 'on',
    ...fields,
  };
}

/** The secret shown in the one-time box of a client page, if any. */
function shownSecret(html: string): string | undefined {
  return /<output id="client-secret">([^<]+)<\/output>/.exec(html)?.[1];
}

describe('Admin pages: AdminGuard', () => {
  it('sends an anonymous browser to the sign-in page, and back after it', async () => {
    const anonymous = new Browser();
    for (const path of ['/admin', '/admin/clients', '/admin/keys']) {
      const res = await anonymous.get(path);
      expect(res.status, path).toBe(302);
      const location = new URL(res.headers.get('location') ?? '', 'http://localhost');
      expect(location.pathname).toBe('/auth/login');
      expect(location.searchParams.get('return_to')).toBe(path);
    }
  });

  it('sends a signed-in user who is not an administrator to /profile (302)', async () => {
    const user = await signedIn(await createTestUser(admin));
    for (const path of ['/admin', '/admin/users', '/admin/denylist']) {
      const res = await user.get(path);
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location')).toBe('/profile');
    }
    const post = await user.postForm('/admin/clients', clientForm({ csrf_token: 'x' }));
    expect(post.status).toBe(302);
    expect(post.headers.get('location')).toBe('/profile');
  });

  it('refuses a change without the CSRF token, or with a wrong one (403 page), and changes nothing', async () => {
    const name = unique('csrf client');
    for (const token of [undefined, 'x'.repeat(43)]) {
      const fields = clientForm({ client_name: name });
      const res = await browser.postForm(
        '/admin/clients',
        token === undefined ? fields : { ...fields, csrf_token: token },
      );
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('Form expired');
    }
    const listed = await admin.get<{ items: unknown[] }>(`/admin/api/clients?q=${encodeURIComponent(name)}`);
    expect(listed.items).toEqual([]);
  });
});

describe('Admin pages: every page renders', () => {
  it('dashboard: counts, the issuance chart with its text alternative, latest events, navigation', async () => {
    const html = await page('/admin');
    expect(html).toContain('<h1>Dashboard</h1>');
    expect(html).toMatch(/<a href="\/admin" aria-current="page">Dashboard<\/a>/);
    expect(html).toMatch(/<a href="\/admin\/clients">Clients<\/a>/);
    expect(html).toContain('href="#content"'); // the skip link
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"/);
    expect((html.match(/<rect class="bar"/g) ?? []).length).toBe(14);
    expect(html).toContain('Show the numbers as a table');
    for (const label of ['Clients', 'Users', 'Active grants', 'Signing keys in use', 'Denylist entries']) {
      expect(html).toContain(`<span>${label}</span>`);
    }
    expect(html).toContain('Latest events');
    expect(html).toContain('action="/auth/logout"');
  });

  it.each([
    ['/admin/clients', 'Clients', 'New client'],
    ['/admin/clients/new', 'New client', 'Redirect URIs'],
    ['/admin/users', 'Users', 'New user'],
    ['/admin/users/new', 'New user', 'Password'],
    ['/admin/grants', 'Grants', 'Active only'],
    ['/admin/keys', 'Signing keys', 'Rotate keys'],
    ['/admin/keys/rotate', 'Rotate the signing keys?', 'Rotate keys'],
    ['/admin/events', 'Events', 'newest first'],
    ['/admin/audit', 'Audit log', 'newest first'],
    ['/admin/denylist', 'Denylist', 'Add to denylist'],
  ])('%s: 200 with its heading and content', async (path, heading, content) => {
    const html = await page(path);
    expect(html).toContain(`<h1>${heading}</h1>`);
    expect(html).toContain(content);
    expect(html).toContain('aria-current="page"');
  });

  it('labels every form field', async () => {
    for (const path of ['/admin/clients/new', '/admin/users/new', '/admin/denylist', '/admin/grants']) {
      const html = await page(path);
      for (const [tag] of html.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
        if (/type="hidden"/.test(tag)) continue;
        const id = /\bid="([^"]+)"/.exec(tag)?.[1];
        expect(id, `${path}: ${tag}`).toBeTruthy();
        expect(html, `${path}: label for ${id}`).toContain(`for="${id}"`);
      }
    }
  });

  it('answers the HTML 404 page for an unknown admin page or record', async () => {
    for (const path of ['/admin/nothing-here', '/admin/clients/client_unknown', '/admin/users/unknown']) {
      const res = await browser.get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    }
  });

  it('pages listings by cursor, keeping the search', async () => {
    const prefix = unique('paged');
    for (let i = 0; i < 3; i++) await createTestUser(admin, { username: `${prefix}-${i}` });
    const first = await page(`/admin/users?q=${prefix}&limit=2`);
    expect((first.match(new RegExp(`>${prefix}-\\d<`, 'g')) ?? []).length).toBe(2);
    const next = /<a href="([^"]+)" rel="next">/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toContain(`q=${prefix}`);
    const second = await page(next as string);
    expect((second.match(new RegExp(`>${prefix}-\\d<`, 'g')) ?? []).length).toBe(1);
    expect(second).toContain('First page');
  });
});

describe('Admin pages: clients', () => {
  it('creates a client (303), shows its secret once, and the secret works', async () => {
    const res = await submit('/admin/clients', clientForm());
    const location = seeOther(res);
    expect(location).toMatch(/^\/admin\/clients\/client_/);
    const clientId = decodeURIComponent(location.split('/').pop() as string);

    const html = await page(location);
    expect(html).toContain('Client created.');
    const secret = shownSecret(html);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = await clientCredentials({ client_id: clientId, client_secret: secret }, 'read');
    expect(token.status).toBe(200);

    const again = await page(location);
    expect(shownSecret(again)).toBeUndefined();
    expect(again).not.toContain(secret as string);
    expect(again).not.toContain('Client created.');
  });

  it('binds the one-time secret to the session that created the client', async () => {
    const location = seeOther(await submit('/admin/clients', clientForm()));
    const other = await signedIn(SEED_ADMIN);
    other.cookies.set('admin-flash', browser.cookies.get('admin-flash') ?? '');
    expect(shownSecret(await page(location, other))).toBeUndefined();
    expect(shownSecret(await page(location))).toBeDefined();
  });

  it('re-renders a refused form with the message next to the field and the input kept (400)', async () => {
    const name = unique('Refused');
    const res = await submit(
      '/admin/clients',
      clientForm({
        client_name: name,
        'grant_types.authorization_code': 'on',
        redirect_uris: 'http://app.example.com/cb',
      }),
    );
    const html = await res.text();
    expect(res.status, html).toBe(400);
    expect(html).toContain('role="alert"');
    expect(html).toMatch(/<span class="field-error" id="f-redirect_uris-error">Redirect URIs \(line 1\): /);
    expect(html).toMatch(/<textarea id="f-redirect_uris"[^>]*aria-invalid="true"/);
    expect(html).toContain('http://app.example.com/cb</textarea>');
    expect(html).toContain(`value="${name}"`);
    expect(inputValue(html, 'csrf_token')).toBe(csrf);
  });

  it('edits, disables and enables a client, then rotates its secret after a confirmation', async () => {
    const location = seeOther(await submit('/admin/clients', clientForm()));
    const clientId = decodeURIComponent(location.split('/').pop() as string);
    const first = shownSecret(await page(location)) as string;

    const renamed = unique('Renamed');
    seeOther(
      await submit(location, clientForm({ client_name: renamed, first_party: 'on', 'scope.write': 'on' })),
    );
    const edited = await admin.get<Record<string, unknown>>(`/admin/api/clients/${clientId}`);
    expect(edited).toMatchObject({
      client_name: renamed,
      first_party: true,
      scope: 'read write',
      enabled: true,
    });

    seeOther(await submit(`${location}/enabled`, { enabled: 'false' }));
    expect(await page(location)).toContain('Client disabled.');
    expect((await admin.get(`/admin/api/clients/${clientId}`)).enabled).toBe(false);
    seeOther(await submit(`${location}/enabled`, { enabled: 'true' }));

    const confirm = await page(`${location}/rotate`);
    expect(confirm).toContain('The current secret stops working at once.');
    expect(seeOther(await submit(`${location}/rotate`))).toBe(location);
    const rotated = await page(location);
    const second = shownSecret(rotated) as string;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect((await clientCredentials({ client_id: clientId, client_secret: first }, 'read')).status).toBe(401);
    expect((await clientCredentials({ client_id: clientId, client_secret: second }, 'read')).status).toBe(
      200,
    );
  });

  it('deletes a client only after the confirmation step', async () => {
    const location = seeOther(await submit('/admin/clients', clientForm()));
    const clientId = decodeURIComponent(location.split('/').pop() as string);
    expect(await page(`${location}/delete`)).toContain('This cannot be undone.');
    expect(seeOther(await submit(`${location}/delete`))).toBe('/admin/clients');
    expect(await page('/admin/clients')).toContain(`Client ${clientId} deleted.`);
    expect((await admin.call('GET', `/admin/api/clients/${clientId}`)).status).toBe(404);
  });

  it('searches clients by name', async () => {
    const name = unique('Findable');
    seeOther(await submit('/admin/clients', clientForm({ client_name: name })));
    const html = await page(`/admin/clients?q=${encodeURIComponent(name)}`);
    expect(html).toContain(`>${name}</a>`);
    expect(html).toContain(`value="${name}"`);
  });

  it('shows the bootstrap admin client read-only', async () => {
    const html = await page('/admin/clients/admin-client');
    expect(html).toContain('defined by configuration');
    expect(html).not.toContain('Save changes');
  });
});

describe('Admin pages: users', () => {
  it('creates a user, refuses a weak password with the input kept, edits and resets the password', async () => {
    const username = unique('pageuser');
    const weak = await submit('/admin/users', {
      username,
      password: 'short',
      email: `${username}@example.com`,
      role: 'user',
    });
    const weakHtml = await weak.text();
    expect(weak.status).toBe(400);
    expect(weakHtml).toMatch(/id="f-password-error">Password: /);
    expect(weakHtml).toContain(`value="${username}"`);
    expect(weakHtml).not.toContain('value="short"');

    const location = seeOther(
      await submit('/admin/users', {
        username,
        password: 'a long passphrase 1',
        name: 'Page User',
        role: 'user',
      }),
    );
    const id = decodeURIComponent(location.split('/').pop() as string);
    expect(await page(location)).toContain(`User ${username} created.`);

    seeOther(
      await submit(location, { username, name: 'Renamed', role: 'admin', email: `${username}@example.com` }),
    );
    const edited = await admin.get(`/admin/api/users/${id}`);
    expect(edited).toMatchObject({
      name: 'Renamed',
      role: 'admin',
      enabled: false,
      email: `${username}@example.com`,
    });

    seeOther(await submit(location, { username, name: 'Renamed', role: 'user', enabled: 'on' }));
    seeOther(await submit(`${location}/password`, { password: 'another long passphrase' }));
    const session = await new Browser().signIn(username, 'another long passphrase');
    expect(session.status).toBe(303);
  });

  it('refuses to let administrators disable their own account', async () => {
    const me = await json<{ actor_id: string }>(await browser.get('/admin/api/me'), 200);
    const res = await submit(`/admin/users/${me.actor_id}`, { username: 'admin', role: 'admin' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Enabled: you cannot disable your own account.');
  });

  it('deletes a user after the confirmation step', async () => {
    const user = await createTestUser(admin);
    expect(await page(`/admin/users/${user.id}/delete`)).toContain(`Delete ${user.username}?`);
    expect(seeOther(await submit(`/admin/users/${user.id}/delete`))).toBe('/admin/users');
    expect((await admin.call('GET', `/admin/api/users/${user.id}`)).status).toBe(404);
  });
});

describe('Admin pages: grants, keys, denylist and the audit log', () => {
  it('lists a user’s grants and revokes one, then all', async () => {
    const user = await createTestUser(admin);
    const web = await createWebClient(admin);
    const one = await codeFlow(web, user);
    const two = await codeFlow(web, user);
    const list = await page(`/admin/grants?user_id=${user.id}`);
    expect(list).toContain(one.grantId);
    expect(list).toContain(two.grantId);

    expect(await page(`/admin/grants/${one.grantId}/revoke`)).toContain('Revoke this grant?');
    seeOther(await submit(`/admin/grants/${one.grantId}/revoke`));
    expect((await admin.get(`/admin/api/grants/${one.grantId}`)).status).toBe('revoked');
    expect((await admin.get(`/admin/api/grants/${two.grantId}`)).status).toBe('active');

    const bulk = `/admin/grants/revoke-all?user_id=${user.id}`;
    expect(await page(bulk)).toContain(`Every active grant of user ${user.id}`);
    const after = seeOther(await submit(bulk));
    expect(await page(after)).toContain('Revoked 1 grant.');
    expect((await admin.get(`/admin/api/grants/${two.grantId}`)).status).toBe('revoked');
  });

  it('rotates the signing keys', async () => {
    const before = await admin.get<{ items: { kid: string; status: string }[] }>('/admin/api/keys');
    expect(seeOther(await submit('/admin/keys/rotate'))).toBe('/admin/keys');
    const html = await page('/admin/keys');
    expect(html).toContain('Keys rotated.');
    const after = await admin.get<{ items: { kid: string; status: string }[] }>('/admin/api/keys');
    const active = after.items.filter((key) => key.status === 'active').map((key) => key.kid);
    expect(active.some((kid) => !before.items.some((key) => key.kid === kid))).toBe(true);
    for (const kid of active) expect(html).toContain(kid);
  });

  it('adds a denylist entry, refuses an invalid one with the input kept, and removes it', async () => {
    const bad = await submit('/admin/denylist', { kind: 'ip', value: 'not-an-ip', reason: 'typo' });
    const badHtml = await bad.text();
    expect(bad.status).toBe(400);
    expect(badHtml).toContain('Value: must be an IP address or CIDR block.');
    expect(badHtml).toContain('value="not-an-ip"');

    const value = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    seeOther(await submit('/admin/denylist', { kind: 'ip', value, reason: 'page test', expires_in: '3600' }));
    const html = await page('/admin/denylist?kind=ip');
    expect(html).toContain(`Added ${value} (IP address or CIDR block) to the denylist.`);
    const entries = await admin.get<{ items: { id: string; value: string }[] }>(
      '/admin/api/denylist?kind=ip',
    );
    const entry = entries.items.find((item) => item.value === value);
    expect(entry).toBeDefined();
    const id = (entry as { id: string }).id;
    expect(await page(`/admin/denylist/${id}/remove`)).toContain('Remove this denylist entry?');
    seeOther(await submit(`/admin/denylist/${id}/remove`));
    expect((await admin.call('GET', `/admin/api/denylist/${id}`)).status).toBe(404);
  });

  it('shows the changes made on the pages in the audit log and the events', async () => {
    const location = seeOther(await submit('/admin/clients', clientForm()));
    const clientId = decodeURIComponent(location.split('/').pop() as string);
    const audit = await page('/admin/audit?limit=200');
    expect(audit).toMatch(/client\.create<\/code><\/td><td>admin[^<]*<span class="muted">\(user\)/);
    expect(audit).toContain(`href="/admin/clients/${clientId}"`);
    // Events reach the recent-events store through the real queue (delivered in the background).
    const events = await eventually(async () => {
      const html = await page('/admin/events?type=admin_action&limit=200');
      return html.includes(clientId) ? html : null;
    });
    expect(events).toContain(`href="/admin/clients/${clientId}"`);
    expect(events).toContain('client.create');
  }, 30_000);
});
