/**
 * Passkeys end to end in real headless Chromium with a virtual WebAuthn authenticator (DevTools protocol:
 * CTAP2, internal transport, resident keys, user verification): a user signs in with the password, adds a
 * passkey on /profile/security, signs out, then signs in with the passkey alone from an authorization
 * request and reaches the relying party; the ID token says how (amr, acr).
 *
 * Browsers refuse WebAuthn on IP-address origins, so the browser reaches the server as
 * http://localhost:PORT, which is then the issuer (and the RP ID is `localhost`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAVE_CHROMIUM, launchChromium, requireChromium } from './chromium';
import { startRelyingParty, type TestRelyingParty } from './relying-party';
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

const SKIPPED = requireChromium('browser-passkeys');
const ACR_MFA = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

/**
 * Chromium's virtual authenticator may answer the login page's pending autofill (conditional) request by
 * itself once the page is clicked. While this origin's localStorage holds NO_AUTOFILL, the page is told
 * that autofill is unavailable, so that the button alone signs in.
 */
const NO_AUTOFILL = 'test-no-passkey-autofill';
const AUTOFILL_SWITCH = `if (localStorage.getItem('${NO_AUTOFILL}') === '1' && window.PublicKeyCredential) {
  PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
}`;

describe.skipIf(!HAVE_CHROMIUM)(`passkeys in headless Chromium${SKIPPED}`, () => {
  let server: TestServer;
  /** The server as the browser reaches it, and the issuer: http://localhost:PORT. */
  let origin: string;
  let rp: TestRelyingParty;
  let user: TestUser;
  let registered: RegisteredClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleMessages: string[] = [];

  beforeAll(async () => {
    rp = await startRelyingParty();
    server = await startServer();
    origin = server.url.replace('//127.0.0.1:', '//localhost:');
    const token = await adminToken(server);
    user = await createUser(server, token);
    registered = await registerClient(server, token, {
      client_name: 'Passkey Test App',
      redirect_uris: [rp.redirectUri],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    });

    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    await page.addInitScript(AUTOFILL_SWITCH);
    page.on('console', (message) => consoleMessages.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => consoleMessages.push(`pageerror: ${error.message}`));
    const devtools = await context.newCDPSession(page);
    await devtools.send('WebAuthn.enable');
    await devtools.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await rp?.close();
    await server?.stop();
  });

  it('adds a passkey after a password sign-in, then signs in with it alone (amr hwk/swk + mfa, acr MFA)', async () => {
    // Password sign-in, straight to the security page.
    await page.goto(`${origin}/auth/login?return_to=${encodeURIComponent('/profile/security')}`);
    await page.fill('input[name="username"]', user.username);
    await page.fill('input[name="password"]', user.password);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/profile/security'),
      page.click('form[method="post"] button[type="submit"]'),
    ]);
    expect(await page.locator('[data-factor="passkey"]').count()).toBe(0);

    // Add a passkey: the script registers it and reloads the page, which lists it.
    await Promise.all([page.waitForEvent('load'), page.click('#add-passkey')]);
    await page.locator('[data-factor="passkey"]').first().waitFor();
    expect(await page.locator('[data-factor="passkey"]').count()).toBe(1);

    // Sign out (and from now on, no autofill: see NO_AUTOFILL).
    await page.evaluate(`localStorage.setItem('${NO_AUTOFILL}', '1')`);
    await page.goto(`${origin}/profile`);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/auth/login'),
      page.click('form[action="/auth/logout"] button[type="submit"]'),
    ]);

    // An authorization request: the login page, and the passkey button alone signs in.
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    const nonce = randomBytes(16).toString('base64url');
    await page.goto(
      `${origin}/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: registered.client_id,
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        state,
        nonce,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      })}`,
    );
    expect(new URL(page.url()).pathname).toBe('/auth/login');
    expect(await page.locator('form[method="post"]').count()).toBe(1);
    expect(await page.locator('form #passkey-login').count()).toBe(0);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/oauth/authorize'),
      page.click('#passkey-login'),
    ]);
    const approve = page.locator('button[name="decision"][value="approve"]');
    await approve.waitFor();
    await Promise.all([page.waitForURL((url) => url.origin === rp.origin), approve.click()]);
    await expect(page.locator('#rp').textContent()).resolves.toBe('ok');

    const callback = rp.received.at(-1) as URL;
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();
    expect(consoleMessages.filter((m) => /content security policy|^error:|^pageerror:/i.test(m))).toEqual([]);

    const res = await fetch(`${origin}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: basic(registered.client_id, String(registered.client_secret)),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code as string,
        redirect_uri: rp.redirectUri,
        code_verifier: verifier,
      }),
    });
    const body = await res.text();
    expect(res.status, body).toBe(200);
    const tokens = JSON.parse(body) as { id_token: string };
    const jwks = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.id_token, jwks, {
      issuer: origin,
      audience: registered.client_id,
    });
    expect(payload.sub).toBe(user.id);
    expect(payload.nonce).toBe(nonce);
    const amr = payload.amr as string[];
    expect(amr.includes('hwk') || amr.includes('swk'), amr.join(' ')).toBe(true);
    expect(amr).toContain('mfa');
    expect(amr).not.toContain('pwd');
    expect(payload.acr).toBe(ACR_MFA);
  });
});
