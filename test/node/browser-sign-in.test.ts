/**
 * One end-to-end sign-in in real headless Chromium (Debian's `chromium` package, driven by playwright-core):
 * authorize → login form → consent → redirect to a relying party on loopback, then the code exchange.
 * The Worker is the built bundle under Miniflare (bench/lib/server.mjs); the relying party is a tiny local
 * HTTP server that records the query its redirect_uri receives.
 *
 * Chromium missing: skipped locally (with a message), but a failure when CI=true.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, requireChromium } from './chromium';
import {
  adminToken,
  basic,
  createUser,
  type RegisteredClient,
  registerClient,
  startServer,
  type TestServer,
  type TestUser,
} from './support';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOT = path.join(ROOT, '.tmp', 'consent.png');
const SKIPPED = requireChromium('browser-sign-in');

describe.skipIf(!HAVE_CHROMIUM)(`sign-in in headless Chromium${SKIPPED}`, () => {
  let server: TestServer;
  let rp: Server;
  let rpOrigin: string;
  const received: URL[] = [];
  let user: TestUser;
  let registered: RegisteredClient;
  let redirectUri: string;
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  const consoleMessages: string[] = [];

  beforeAll(async () => {
    // The relying party: records what its redirect_uri receives and shows "ok".
    rp = createServer((req, res) => {
      const url = new URL(req.url ?? '/', rpOrigin);
      if (url.pathname !== '/cb') {
        res.writeHead(204).end(); // e.g. the browser's /favicon.ico (a 404 would log a console error)
        return;
      }
      received.push(url);
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>RP</title><p id="rp">ok</p>');
    });
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve));
    rpOrigin = `http://127.0.0.1:${(rp.address() as AddressInfo).port}`;
    redirectUri = `${rpOrigin}/cb`;

    server = await startServer();
    const token = await adminToken(server);
    user = await createUser(server, token);
    registered = await registerClient(server, token, {
      client_name: 'Browser Test App',
      client_uri: 'https://app.example.com',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });

    userDataDir = await mkdtemp(path.join(os.tmpdir(), 'edge-oauth2-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true, // playwright-core passes --headless
      args: CHROMIUM_ARGS,
      colorScheme: 'light',
      viewport: { width: 800, height: 700 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.message}`));
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await new Promise<void>((resolve) => (rp ? rp.close(() => resolve()) : resolve()));
    await server?.stop();
  });

  /** The CSP of a response allows no inline script (script-src, else default-src, without 'unsafe-inline'). */
  function expectNoInlineScriptAllowed(csp: string | undefined): void {
    expect(csp, 'Content-Security-Policy header').toBeTruthy();
    const directives = new Map(
      (csp as string)
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...sources]) => [(name as string).toLowerCase(), sources]),
    );
    const scriptSources = directives.get('script-src') ?? directives.get('default-src');
    expect(scriptSources, `script-src or default-src in ${csp}`).toBeDefined();
    expect(scriptSources).not.toContain("'unsafe-inline'");
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
  }

  it('signs in, approves, and the relying party receives code, state and iss', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    const authorizeUrl = `${server.url}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: registered.client_id,
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })}`;

    // authorize → 302 → the login page.
    const login = await page.goto(authorizeUrl);
    expect(login?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/auth/login');
    expectNoInlineScriptAllowed(login?.headers()['content-security-policy']);
    expect(login?.headers()['x-content-type-options']).toBe('nosniff');
    expect(login?.headers()['referrer-policy']).toBe('no-referrer');
    // The one script is the passkey file from this origin (nonce'd); no inline script.
    expect(await login?.text()).not.toMatch(/<script\b(?![^>]*\bsrc="\/auth\/passkeys\.js")/i);
    expect(await page.locator('form[method="post"]').count()).toBe(1);
    // The nonce'd stylesheet applied (light theme by default): the page background is --bg.
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(245, 246, 248)');

    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', user.password);
    const [consent] = await Promise.all([
      page.waitForResponse(
        (res) => new URL(res.url()).pathname === '/oauth/authorize' && res.request().method() === 'GET',
      ),
      page.click('button[type="submit"]'),
    ]);
    await page.waitForLoadState('load');

    // The session cookie: HttpOnly, SameSite=Lax (not Secure on loopback http).
    const cookies = await context.cookies(server.url);
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.httpOnly, cookie.name).toBe(true);
      expect(cookie.sameSite, cookie.name).toBe('Lax');
    }

    // The consent page.
    expect(consent.status()).toBe(200);
    expectNoInlineScriptAllowed(consent.headers()['content-security-policy']);
    expect(await consent.text()).not.toMatch(/<script\b/i);
    await expect(page.locator('h1').textContent()).resolves.toContain('Browser Test App');
    await expect(page.locator('body').textContent()).resolves.toContain(user.username);
    const approve = page.locator('button[name="decision"][value="approve"]');
    expect(await approve.count()).toBe(1);
    expect(await page.locator('button[name="decision"][value="deny"]').count()).toBe(1);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Approve → 303 → the relying party's redirect_uri.
    await Promise.all([page.waitForURL((url) => url.origin === rpOrigin), approve.click()]);
    await expect(page.locator('#rp').textContent()).resolves.toBe('ok');
    expect(received).toHaveLength(1);
    const callback = received[0] as URL;
    expect(callback.pathname).toBe('/cb');
    expect(callback.searchParams.get('error')).toBeNull();
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(server.url);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    // No CSP violation (nor any other console error) on our pages, including the form-action check of the
    // consent form's redirect to the relying party.
    expect(consoleMessages.filter((m) => /content security policy|^error:|^pageerror:/i.test(m))).toEqual([]);

    // The relying party's back channel: the code exchange.
    const res = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: basic(registered.client_id, String(registered.client_secret)),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code as string,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const tokens = JSON.parse(body) as Record<string, unknown>;
    expect(tokens.token_type).toBe('Bearer');
    expect(new Set(String(tokens.scope).split(' '))).toEqual(new Set(['openid', 'profile', 'email']));
    expect(tokens.refresh_token).toBeUndefined(); // neither offline_access nor the refresh_token grant

    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const idToken = await jwtVerify(String(tokens.id_token), jwks, {
      issuer: server.url,
      audience: registered.client_id,
    });
    expect(idToken.payload.sub).toBe(user.id);
    expect(idToken.payload.nonce).toBe(nonce);
    const access = await jwtVerify(String(tokens.access_token), jwks, {
      issuer: server.url,
      typ: 'at+jwt',
    });
    expect(access.payload.sub).toBe(user.id);
    expect(access.payload.client_id).toBe(registered.client_id);

    const info = await fetch(`${server.url}/oauth/userinfo`, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ sub: user.id, email: user.email, name: user.name });
  });

  it("the page CSP blocks an injected inline script on the server's pages", async () => {
    const res = await page.goto(`${server.url}/auth/login`);
    expect(res?.status()).toBe(200);
    // page.evaluate runs over the DevTools protocol (not subject to CSP); the <script> it inserts is.
    // (A string, not a function: this project's TypeScript has no DOM lib.)
    const outcome = (await page.evaluate(`new Promise((resolve) => {
        let directive = 'none';
        document.addEventListener('securitypolicyviolation', (e) => { directive = e.effectiveDirective; });
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = true;';
        document.body.append(script);
        setTimeout(() => resolve({ ran: window.__inlineRan === true, directive }), 500);
      })`)) as { ran: boolean; directive: string };
    expect(outcome.ran).toBe(false);
    expect(outcome.directive).toMatch(/^script-src/);
  });
});
