/**
 * The two pages that send the browser elsewhere by themselves, in real headless Chromium (Debian's
 * `chromium`, driven by playwright-core) against the built Worker under Miniflare (bench/lib/server.mjs):
 *
 * - `response_mode=form_post`: the auto-submitting form page (its CSP: `script-src 'nonce-…'` and
 *   `form-action` of the redirect_uri's origin) POSTs code, state and iss to a relying party on loopback;
 *   with script disabled in the page, the visible Continue button delivers the same POST.
 * - Front-Channel Logout: RP-initiated logout of a session two clients signed into renders one hidden
 *   iframe per client (CSP `frame-src` of their origins), the browser loads both (with iss and sid for
 *   the client requiring the session), then moves on to the post_logout_redirect_uri.
 *
 * Nothing may report a CSP violation or a console error. Chromium missing: skipped locally (with a
 * message), but a failure when CI=true.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium, requireChromium } from './chromium';
import {
  adminToken,
  basic,
  claimsOf,
  createUser,
  type RegisteredClient,
  registerClient,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

const SKIPPED = requireChromium('browser-oidc-pages');

/** One request the relying party received. */
interface RpRequest {
  method: string;
  url: URL;
  /** The urlencoded body of a POST, parsed. */
  form: URLSearchParams;
  /** Sec-Fetch-Dest: what the browser loaded it as (document, iframe). */
  dest: string | undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The directives of a Content-Security-Policy header, by lower-case name. */
function cspDirectives(csp: string | undefined): Map<string, string[]> {
  expect(csp, 'Content-Security-Policy header').toBeTruthy();
  return new Map(
    (csp as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [(name as string).toLowerCase(), sources]),
  );
}

describe.skipIf(!HAVE_CHROMIUM)(
  `form_post and front-channel logout pages in headless Chromium${SKIPPED}`,
  () => {
    let server: TestServer;
    let token: string;
    let user: TestUser;
    let rp: Server;
    let rpOrigin: string;
    const rpRequests: RpRequest[] = [];
    let browser: Browser;
    let context: BrowserContext | undefined;
    const problems: string[] = [];

    beforeAll(async () => {
      // The relying party: records every request (and the form of a POST) and answers with a tiny page.
      rp = createServer((req, res) => {
        void (async () => {
          const url = new URL(req.url ?? '/', rpOrigin);
          const body = req.method === 'POST' ? await readBody(req) : '';
          if (url.pathname === '/favicon.ico') {
            res.writeHead(204).end(); // a 404 would log a console error
            return;
          }
          rpRequests.push({
            method: req.method ?? 'GET',
            url,
            form: new URLSearchParams(body),
            dest: req.headers['sec-fetch-dest'] as string | undefined,
          });
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
          res.end(`<!doctype html><title>RP</title><p id="rp">${url.pathname}</p>`);
        })();
      });
      await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
      rpOrigin = `http://127.0.0.1:${(rp.address() as AddressInfo).port}`;

      server = await startServer();
      token = await adminToken(server);
      user = await createUser(server, token);
      browser = await launchChromium();
    });

    afterEach(async () => {
      await context?.close().catch(() => {});
      context = undefined;
    });

    afterAll(async () => {
      await browser?.close().catch(() => {});
      await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
      await server?.stop();
    });

    /** A new browser profile (no session yet) with one page whose CSP reports and errors are recorded. */
    async function newPage(): Promise<Page> {
      problems.length = 0;
      rpRequests.length = 0;
      context = await browser.newContext({ colorScheme: 'light', viewport: { width: 800, height: 700 } });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || /content security policy/i.test(message.text())) {
          problems.push(`${message.type()}: ${message.text()}`);
        }
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      return page;
    }

    async function register(name: string, extra: Record<string, unknown> = {}): Promise<RegisteredClient> {
      return registerClient(server, token, {
        client_name: name,
        redirect_uris: [`${rpOrigin}/cb`],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
        ...extra,
      });
    }

    interface Authorization {
      url: string;
      state: string;
      nonce: string;
      verifier: string;
    }

    function authorizationRequest(
      client: RegisteredClient,
      extra: Record<string, string> = {},
    ): Authorization {
      const verifier = randomBytes(32).toString('base64url');
      const state = randomBytes(16).toString('base64url');
      const nonce = randomBytes(16).toString('base64url');
      const url = `${server.url}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: `${rpOrigin}/cb`,
        scope: 'openid profile',
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
        ...extra,
      })}`;
      return { url, state, nonce, verifier };
    }

    /**
     * Opens the authorization request in `page`, signs in on the login form when asked, and returns on the
     * consent page (the approve button not yet pressed).
     */
    async function toConsent(page: Page, authorizeUrl: string): Promise<void> {
      await page.goto(authorizeUrl);
      if (new URL(page.url()).pathname === '/auth/login') {
        await page.fill('input[name="username"]', user.username);
        await page.fill('input[name="password"]', user.password);
        await Promise.all([
          page.waitForURL((url) => url.pathname === '/oauth/authorize'),
          page.click('button[type="submit"]'),
        ]);
      }
      expect(await page.locator('button[name="decision"][value="approve"]').count()).toBe(1);
    }

    /** Approves on the consent page and waits until the browser is at the relying party's `pathname`. */
    async function approveAndReach(page: Page, pathname: string): Promise<void> {
      await Promise.all([
        page.waitForURL((url) => url.origin === rpOrigin && url.pathname === pathname),
        page.click('button[name="decision"][value="approve"]'),
      ]);
      await expect(page.locator('#rp').textContent()).resolves.toBe(pathname);
    }

    async function redeem(
      client: RegisteredClient,
      code: string,
      verifier: string,
    ): Promise<Record<string, unknown>> {
      const res = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: {
          Authorization: basic(client.client_id, String(client.client_secret)),
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: `${rpOrigin}/cb`,
          code_verifier: verifier,
        }),
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      return JSON.parse(text) as Record<string, unknown>;
    }

    /** The one POST the relying party's /cb received: code, state and iss of this request. */
    function expectFormPostCallback(request: Authorization): string {
      const callbacks = rpRequests.filter((r) => r.url.pathname === '/cb');
      expect(callbacks.map((r) => r.method)).toEqual(['POST']);
      const form = (callbacks[0] as RpRequest).form;
      expect(form.get('error')).toBeNull();
      expect(form.get('state')).toBe(request.state);
      expect(form.get('iss')).toBe(server.url);
      const code = form.get('code');
      expect(code).toBeTruthy();
      expect((callbacks[0] as RpRequest).url.search).toBe(''); // nothing in the query
      return code as string;
    }

    /** The consent POST answers with the form_post page; its CSP and markup, checked as the browser got it. */
    function expectFormPostPage(html: string, csp: string | undefined): void {
      const directives = cspDirectives(csp);
      expect(directives.get('form-action')).toEqual([rpOrigin]);
      const scriptSources = directives.get('script-src') ?? [];
      expect(scriptSources).toHaveLength(1);
      expect(scriptSources[0]).toMatch(/^'nonce-[A-Za-z0-9_-]+'$/);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(html).toContain(`action="${rpOrigin}/cb"`);
    }

    it('form_post: the page posts code, state and iss to the redirect_uri, and the code redeems', async () => {
      const page = await newPage();
      const client = await register('Form Post App');
      const request = authorizationRequest(client, { response_mode: 'form_post' });
      await toConsent(page, request.url);

      const formPostResponse = page.waitForResponse(
        (res) =>
          res.url().startsWith(server.url) && res.request().method() === 'POST' && res.status() === 200,
      );
      await approveAndReach(page, '/cb');
      // (Its body is gone once the page has navigated on; the script-off test reads it.)
      const formPost = await formPostResponse;
      const directives = cspDirectives(formPost.headers()['content-security-policy']);
      expect(directives.get('form-action')).toEqual([rpOrigin]);
      expect(directives.get('script-src')?.[0]).toMatch(/^'nonce-[A-Za-z0-9_-]+'$/);

      const code = expectFormPostCallback(request);
      expect(problems).toEqual([]);

      const tokens = await redeem(client, code, request.verifier);
      expect(tokens.token_type).toBe('Bearer');
      const idToken = claimsOf(String(tokens.id_token));
      expect(idToken.sub).toBe(user.id);
      expect(idToken.nonce).toBe(request.nonce);
    });

    it('form_post with script disabled: the Continue button is shown and delivers the POST', async () => {
      const page = await newPage();
      const client = await register('Form Post App (no script)');
      const request = authorizationRequest(client, { response_mode: 'form_post' });
      await toConsent(page, request.url);

      // From here on the page runs no script: the form_post page cannot submit itself.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      const [formPost] = await Promise.all([
        page.waitForResponse((res) => res.url().startsWith(server.url) && res.request().method() === 'POST'),
        page.click('button[name="decision"][value="approve"]'),
      ]);
      expect(formPost.status()).toBe(200);
      expectFormPostPage(await formPost.text(), formPost.headers()['content-security-policy']);
      await page.waitForLoadState('load');
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for a (wrong) submission to start
      // Still on the server's form_post page: nothing was posted by itself.
      expect(new URL(page.url()).origin).toBe(server.url);
      await expect(page.locator('h1').textContent()).resolves.toBe('Returning to the application');
      expect(rpRequests.filter((r) => r.url.pathname === '/cb')).toEqual([]);
      const formPostHtml = await page.content();
      expect(formPostHtml).toContain(`action="${rpOrigin}/cb"`);
      // The explanation is in the page (Chromium's emulated "script off" does not display <noscript>
      // content; a browser with script turned off in its settings does).
      expect(await page.locator('noscript').count()).toBe(1);
      expect(formPostHtml).toContain('Script is off in this browser');

      const continueButton = page.locator('form button[type="submit"]');
      await expect(continueButton.textContent()).resolves.toBe('Continue');
      expect(await continueButton.isVisible()).toBe(true);
      await Promise.all([page.waitForURL((url) => url.origin === rpOrigin), continueButton.click()]);
      await expect(page.locator('#rp').textContent()).resolves.toBe('/cb');

      const code = expectFormPostCallback(request);
      expect(problems).toEqual([]);
      const tokens = await redeem(client, code, request.verifier);
      expect(claimsOf(String(tokens.id_token)).nonce).toBe(request.nonce);
    });

    it('front-channel logout: both clients are loaded in iframes, then the post_logout_redirect_uri', async () => {
      const page = await newPage();
      const withSession = await register('Front-Channel App (sid)', {
        frontchannel_logout_uri: `${rpOrigin}/fc/with-sid`,
        frontchannel_logout_session_required: true,
        post_logout_redirect_uris: [`${rpOrigin}/logged-out`],
      });
      const plain = await register('Front-Channel App', { frontchannel_logout_uri: `${rpOrigin}/fc/plain` });

      // Sign in once (first client), then the second client with the same browser session.
      const first = authorizationRequest(withSession);
      await toConsent(page, first.url);
      await approveAndReach(page, '/cb');
      const second = authorizationRequest(plain);
      await toConsent(page, second.url);
      expect(new URL(page.url()).pathname).toBe('/oauth/authorize'); // no second sign-in
      await approveAndReach(page, '/cb');

      const callbacks = rpRequests.filter((r) => r.url.pathname === '/cb');
      expect(callbacks.map((r) => r.url.searchParams.get('state'))).toEqual([first.state, second.state]);
      const firstTokens = await redeem(
        withSession,
        String(callbacks[0]?.url.searchParams.get('code')),
        first.verifier,
      );
      const secondTokens = await redeem(
        plain,
        String(callbacks[1]?.url.searchParams.get('code')),
        second.verifier,
      );
      const idToken = String(firstTokens.id_token);
      const sid = claimsOf(idToken).sid;
      expect(typeof sid).toBe('string');
      expect(claimsOf(String(secondTokens.id_token)).sid).toBe(sid); // one session, two clients
      rpRequests.length = 0;

      // RP-initiated logout with id_token_hint: no confirmation, the signed-out page with the frames.
      const logoutState = randomBytes(8).toString('base64url');
      const logoutUrl = `${server.url}/oauth/logout?${new URLSearchParams({
        id_token_hint: idToken,
        post_logout_redirect_uri: `${rpOrigin}/logged-out`,
        state: logoutState,
      })}`;
      const started = Date.now();
      const signedOut = await page.goto(logoutUrl);
      expect(signedOut?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/oauth/logout');
      const directives = cspDirectives(signedOut?.headers()['content-security-policy']);
      expect(directives.get('frame-src')).toEqual([rpOrigin]);
      expect(directives.get('default-src')).toEqual(["'none'"]);
      expect(directives.get('script-src')).toBeUndefined();
      await expect(page.locator('h1').textContent()).resolves.toBe('You are signed out');
      expect(await page.locator('iframe.logout-frame').count()).toBe(2);
      await expect(
        page.locator('a', { hasText: 'Continue to the application' }).getAttribute('href'),
      ).resolves.toBe(`${rpOrigin}/logged-out?state=${logoutState}`);

      // The meta refresh takes the browser on to the post_logout_redirect_uri (with state).
      await page.waitForURL((url) => url.origin === rpOrigin && url.pathname === '/logged-out', {
        timeout: 10_000,
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
      expect(new URL(page.url()).searchParams.get('state')).toBe(logoutState);

      // Both frames were requested by the browser before it left; the session-requiring one with iss and sid.
      const loggedOutAt = rpRequests.findIndex((r) => r.url.pathname === '/logged-out');
      const frameRequests = rpRequests.slice(0, loggedOutAt).filter((r) => r.url.pathname.startsWith('/fc/'));
      expect(frameRequests.map((r) => r.url.pathname).sort()).toEqual(['/fc/plain', '/fc/with-sid']);
      const withSid = frameRequests.find((r) => r.url.pathname === '/fc/with-sid') as RpRequest;
      expect(frameRequests.map((r) => [r.method, r.dest])).toEqual([
        ['GET', 'iframe'],
        ['GET', 'iframe'],
      ]);
      expect(withSid.url.searchParams.get('iss')).toBe(server.url);
      expect(withSid.url.searchParams.get('sid')).toBe(sid);
      const withoutSid = frameRequests.find((r) => r.url.pathname === '/fc/plain') as RpRequest;
      expect(withoutSid.url.search).toBe('');
      expect(problems).toEqual([]);

      // The session is over: authorizing again asks to sign in.
      await page.goto(authorizationRequest(plain).url);
      expect(new URL(page.url()).pathname).toBe('/auth/login');
    });
  },
);
