import { describe, expect, it } from 'vitest';
import { ConsentPage } from '../../templates/consent';
import { ErrorPage } from '../../templates/error';
import { pageCsp } from '../../worker/http/pages';
import { ADMIN_ID, ADMIN_SECRET, Browser, basic, post, SEED_ADMIN } from './helpers';

/** The directives of a CSP header, by name. */
function directives(csp: string | null): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of (csp ?? '').split(';')) {
    const [name = '', ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values.join(' '));
  }
  return map;
}

function expectPageHeaders(res: Response, scripts = false) {
  expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const csp = directives(res.headers.get('content-security-policy'));
  expect(csp.get('default-src')).toBe("'none'");
  expect(csp.get('frame-ancestors')).toBe("'none'");
  expect(csp.get('base-uri')).toBe("'none'");
  expect(csp.get('style-src')).toMatch(/^'nonce-[A-Za-z0-9_-]{22}'$/);
  if (scripts) {
    // Script only from this origin's files, each tag carrying the page's nonce (no inline script runs).
    expect(csp.get('script-src')).toBe(csp.get('style-src'));
    expect(csp.get('connect-src')).toBe("'self'");
  } else {
    expect(csp.has('script-src')).toBe(false);
  }
  expect(res.headers.get('content-security-policy')).not.toContain('unsafe');
  return csp;
}

describe('Page security headers and CSP', () => {
  it('login page: no inline script, only the passkey script file under the per-request nonce that also admits the stylesheet', async () => {
    const browser = new Browser();
    const res = await browser.get('/auth/login');
    const csp = expectPageHeaders(res, true);
    const html = await res.text();
    const nonce = /'nonce-([^']+)'/.exec(csp.get('style-src') ?? '')?.[1];
    expect(html).toContain(`<style nonce="${nonce}">`);
    expect(html.match(/<script\b[^>]*>/gi)).toEqual([
      `<script nonce="${nonce}" src="/auth/passkeys.js" defer="">`,
    ]);
    expect(html).not.toMatch(/<script\b[^>]*>[^<]|javascript:|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const again = directives((await browser.get('/auth/login')).headers.get('content-security-policy'));
    expect(again.get('style-src')).not.toBe(csp.get('style-src'));
  });

  it('login page leaves out form-action (its POST may end at a client redirect_uri); other pages allow only self', async () => {
    const browser = new Browser();
    expect(
      directives((await browser.get('/auth/login')).headers.get('content-security-policy')).has(
        'form-action',
      ),
    ).toBe(false);
    await browser.signIn(SEED_ADMIN.username, SEED_ADMIN.password);
    const profile = await browser.get('/profile');
    expect(profile.status).toBe(200);
    expect(expectPageHeaders(profile).get('form-action')).toBe("'self'");
  });

  it('error pages carry the same headers', async () => {
    const res = await new Browser().fetch('/auth/login', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    expectPageHeaders(res);
    expect(await res.text()).toContain('Method not allowed');
  });

  it('pageCsp is exactly the documented policy', () => {
    expect(pageCsp('abc')).toBe(
      "default-src 'none'; style-src 'nonce-abc'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(pageCsp('abc', { redirectsToClient: true })).not.toContain('form-action');
    // A page showing a client's logo (sign-in, consent): only img-src widens, to https images.
    expect(pageCsp('abc', { redirectsToClient: true, clientImages: true })).toBe(
      "default-src 'none'; style-src 'nonce-abc'; img-src 'self' data: https:; frame-ancestors 'none'; base-uri 'none'",
    );
  });
});

const FORM = 'application/x-www-form-urlencoded';

const HOSTILE: { name: string; headers?: Record<string, string>; body?: BodyInit; status: number }[] = [
  { name: 'no content type', body: 'username=a&password=b', status: 400 },
  { name: 'text/plain', headers: { 'Content-Type': 'text/plain' }, body: 'username=a', status: 400 },
  { name: 'JSON', headers: { 'Content-Type': 'application/json' }, body: '{"username":"a"}', status: 400 },
  {
    name: 'multipart',
    headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
    body: '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\na\r\n--x--',
    status: 400,
  },
  {
    name: 'huge body',
    headers: { 'Content-Type': FORM },
    body: `username=${'a'.repeat(100_000)}`,
    status: 413,
  },
  {
    name: 'lying content-length',
    headers: { 'Content-Type': FORM, 'Content-Length': '999999999' },
    body: 'a=b',
    status: 413,
  },
  {
    name: 'invalid UTF-8',
    headers: { 'Content-Type': FORM },
    body: new Uint8Array([0x75, 0x3d, 0xff, 0xfe, 0xc3]),
    status: 400,
  },
  {
    name: 'malformed percent-encoding',
    headers: { 'Content-Type': FORM },
    body: 'username=%zz&password=%E0%A4%A',
    status: 400,
  },
  { name: 'NUL byte', headers: { 'Content-Type': FORM }, body: 'username=ad%00min&password=x', status: 400 },
  {
    name: 'repeated parameter',
    headers: { 'Content-Type': FORM },
    body: 'username=a&username=b&password=x',
    status: 400,
  },
  {
    name: 'thousands of parameters',
    headers: { 'Content-Type': FORM },
    body: Array.from({ length: 2000 }, (_, i) => `p${i}=v`).join('&'),
    status: 400,
  },
];

describe('Hostile input on the browser routes', () => {
  it.each(HOSTILE)('POST /auth/login with $name: $status HTML error page, no session', async (c) => {
    const browser = new Browser();
    await browser.loginToken();
    const res = await browser.fetch('/auth/login', { method: 'POST', headers: c.headers, body: c.body });
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toMatch(/<h1>[^<]+<\/h1>/);
    expect(browser.cookies.has('session')).toBe(false);
  });

  it.each([
    ['repeated return_to', '?return_to=%2Fa&return_to=%2Fb'],
    ['malformed encoding', '?login_hint=%E0%A4%A'],
    ['NUL in a parameter', '?login_hint=a%00b'],
  ])('GET /auth/login with %s: 400 HTML error page', async (_, query) => {
    const res = await new Browser().get(`/auth/login${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('a CSRF token of absurd length or odd characters is 403, not 5xx', async () => {
    const browser = new Browser();
    await browser.loginToken();
    for (const token of ['x'.repeat(10_000), '\u00e9\u{1F600}', '<script>']) {
      const res = await browser.postForm('/auth/login', { username: 'a', password: 'b', csrf_token: token });
      expect(res.status).toBe(403);
    }
  });

  it('a junk session cookie is ignored and cleared', async () => {
    const browser = new Browser();
    browser.cookies.set('session', '"; DROP TABLE sessions; --');
    const res = await browser.get('/profile');
    expect(res.status).toBe(302);
    browser.cookies.set('session', 'A'.repeat(43));
    const again = await browser.get('/profile');
    expect(again.status).toBe(302);
    expect(again.headers.getSetCookie().some((c) => c.startsWith('session=;'))).toBe(true);
  });
});

describe('Session loading is confined to the browser routes', () => {
  it('the token endpoint ignores a session cookie (it would otherwise be cleared as unknown)', async () => {
    const cookie = `session=${'A'.repeat(43)}`;
    const token = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { Authorization: basic(ADMIN_ID, ADMIN_SECRET), Cookie: cookie },
    );
    expect(token.status).toBe(200);
    expect(token.headers.getSetCookie()).toEqual([]);
    const profile = await new Browser().get('/profile', { Cookie: cookie });
    expect(profile.headers.getSetCookie().some((c) => c.startsWith('session=;'))).toBe(true);
  });
});

describe('Consent page template (contracts.md browser forms)', () => {
  const render = async (clientName: string, clientUri: string | null) =>
    String(
      await ConsentPage({
        nonce: 'n0nce',
        csrfToken: 'tok"en',
        action: '/oauth/consent',
        requestId: 'req-123',
        clientName,
        clientUri,
        selfRegistered: false,
        scopes: [
          { name: 'openid', description: 'Sign you in' },
          { name: 'email', description: 'See your e-mail address' },
        ],
        username: 'alice',
      }),
    );

  it('has one POST form with the CSRF token, the request id and two decision buttons', async () => {
    const html = await render('Photo App', 'https://photos.example.com');
    expect(html.match(/<form /g)).toHaveLength(1);
    expect(html).toContain('<form method="post" action="/oauth/consent">');
    expect(html).toContain('<input type="hidden" name="csrf_token" value="tok&quot;en"/>');
    expect(html).toContain('<input type="hidden" name="request_id" value="req-123"/>');
    expect(html).toMatch(/<button type="submit" name="decision" value="approve"/);
    expect(html).toMatch(/<button type="submit" name="decision" value="deny"/);
    expect(html).toContain('See your e-mail address');
    expect(html).toContain('href="https://photos.example.com"');
    expect(html).toContain('<style nonce="n0nce">');
  });

  it('shows an https logo (alt, bounded size) and https policy and terms links, nothing else', async () => {
    const page = (props: { logoUri?: string; policyUri?: string; tosUri?: string }) =>
      ConsentPage({
        nonce: 'n',
        csrfToken: 't',
        action: '/oauth/consent',
        requestId: 'r',
        clientName: 'Shop "&" <b>',
        clientUri: null,
        selfRegistered: true,
        scopes: [],
        username: 'alice',
        ...props,
      });
    const html = String(
      await page({
        logoUri: 'https://cdn.example.com/logo.png',
        policyUri: 'https://shop.example.com/privacy',
        tosUri: 'https://shop.example.com/terms',
      }),
    );
    expect(html).toContain(
      '<img class="client-logo" src="https://cdn.example.com/logo.png" alt="Shop &quot;&amp;&quot; &lt;b&gt; logo" width="48" height="48" referrerpolicy="no-referrer"/>',
    );
    expect(html).toContain(
      '<a href="https://shop.example.com/privacy" rel="noopener noreferrer" target="_blank">',
    );
    expect(html).toContain(
      '<a href="https://shop.example.com/terms" rel="noopener noreferrer" target="_blank">',
    );
    const hostile = String(
      await page({
        logoUri: 'javascript:alert(1)',
        policyUri: 'http://shop.example.com/privacy',
        tosUri: 'data:text/html,<script>alert(1)</script>',
      }),
    );
    expect(hostile).not.toContain('<img');
    expect(hostile).not.toContain('javascript:');
    expect(hostile).not.toContain('http://shop.example.com');
    expect(hostile).not.toContain('data:text');
    expect(hostile).not.toContain('Privacy policy');
  });

  it('escapes the client name and links only http(s) client URIs', async () => {
    const html = await render('<img src=x onerror=alert(1)>', 'javascript:alert(1)');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('href="javascript:');
  });
});

describe('Error page template', () => {
  it('shows status, title and an escaped description', async () => {
    const html = String(
      await ErrorPage({ nonce: 'n', status: 418, title: 'Teapot', description: '<b>short & stout</b>' }),
    );
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<h1>Teapot</h1>');
    expect(html).toContain('&lt;b&gt;short &amp; stout&lt;/b&gt;');
    expect(html).toContain('418');
  });
});
