/**
 * Step-up to a multi-factor sign-in (OIDC Core §3.1.2.1 acr_values, §5.5.1.1 essential acr, client
 * `require_mfa` / `default_acr_values`) checked in the ID token's amr and acr, and the administrators'
 * policy (OAUTH2_MFA_REQUIRED_FOR_ADMINS), through the real Worker.
 */

import { env } from 'cloudflare:test';
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/sign-in/mfa/totp';
import { createStorage } from '../../src/storage';
import { createApp } from '../../worker/app';
import { signedIn } from './admin-helpers';
import {
  adminToken,
  Browser,
  basic,
  get,
  inputValue,
  ORIGIN,
  pkce,
  post,
  postJson,
  uniqueIp,
} from './helpers';
import {
  currentStep,
  enrolTotp,
  MFA_ACR,
  newUser,
  passwordStep,
  submitCode,
  type TestUser,
} from './mfa-helpers';

const REDIRECT = 'https://step-up.example.com/callback';
const BRONZE = 'urn:mace:incommon:iap:bronze';

interface Client {
  client_id: string;
  client_secret: string;
}

async function register(extra: Record<string, unknown> = {}): Promise<Client> {
  const res = await postJson(
    '/connect/register',
    {
      client_name: 'Step-up app',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid profile',
      ...extra,
    },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

let client: Client;
beforeAll(async () => {
  client = await register();
});

function authorizePath(app: Client, challenge: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: app.client_id,
    redirect_uri: REDIRECT,
    scope: 'openid profile',
    state: 'st',
    nonce: 'nn',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
  return `/oauth/authorize?${params}`;
}

/** From an authorization response (or the consent page it shows) to the redirect back to the client. */
async function backToClient(browser: Browser, res: Response): Promise<URL> {
  let answer = res;
  if (answer.status === 200) {
    const html = await answer.text();
    answer = await browser.postForm('/oauth/consent', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      request_id: inputValue(html, 'request_id') as string,
      decision: 'approve',
    });
  }
  expect([302, 303], `status ${answer.status}`).toContain(answer.status);
  return new URL(answer.headers.get('location') as string, ORIGIN);
}

async function idTokenClaims(app: Client, back: URL, verifier: string): Promise<JWTPayload> {
  const code = back.searchParams.get('code');
  expect(code, back.toString()).toBeTruthy();
  const res = await post(
    '/oauth/token',
    {
      grant_type: 'authorization_code',
      code: code as string,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
    },
    { Authorization: basic(app.client_id, app.client_secret) },
  );
  expect(res.status, await res.clone().text()).toBe(200);
  const { id_token } = (await res.json()) as { id_token: string };
  const jwks = createLocalJWKSet((await (await get('/.well-known/jwks.json')).json()) as JSONWebKeySet);
  return (await jwtVerify(id_token, jwks, { issuer: ORIGIN, audience: app.client_id })).payload;
}

/** A user signed in with a password only, who then set up an authenticator app (the sign-in keeps pwd). */
async function passwordSessionWithApp(): Promise<{
  user: TestUser;
  browser: Browser;
  secret: string;
  step: number;
}> {
  const user = await newUser();
  const browser = await signedIn(user);
  const { secret, step } = await enrolTotp(browser);
  return { user, browser, secret, step };
}

describe('Step-up with acr_values (OIDC Core §3.1.2.1)', () => {
  it('a password sign-in keeps amr pwd after adding an app; asking MFA steps up to pwd otp mfa', async () => {
    const { user, browser, secret, step } = await passwordSessionWithApp();
    const plain = await pkce();
    const before = await idTokenClaims(
      client,
      await backToClient(browser, await browser.get(authorizePath(client, plain.challenge))),
      plain.verifier,
    );
    expect(before.amr).toEqual(['pwd']);
    expect(before.acr).toBe(BRONZE);

    const { verifier, challenge } = await pkce();
    const asked = await browser.get(authorizePath(client, challenge, { acr_values: MFA_ACR }));
    expect(asked.status).toBe(302);
    const login = new URL(asked.headers.get('location') as string, ORIGIN);
    expect(login.pathname).toBe('/auth/login');
    const returnTo = login.searchParams.get('return_to') as string;
    const html = await passwordStep(browser, user, returnTo);
    const signedIn = await submitCode(browser, html, await totpCode(secret, step + 1));
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe(returnTo);
    const back = await backToClient(browser, await browser.get(returnTo));
    const claims = await idTokenClaims(client, back, verifier);
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(claims.acr).toBe(MFA_ACR);
  });

  it('tells a user with only a passkey, on the sign-in page of the step-up, to use it', async () => {
    const user = await newUser();
    const browser = await signedIn(user);
    await createStorage(env).mfa.addPasskey({
      credentialId: `cred-${user.id}`,
      userId: user.id,
      publicKey: 'pQECAyYgASFYIA',
      signCount: 0,
      transports: ['internal'],
      name: 'Laptop',
      deviceType: 'multiDevice',
      backedUp: true,
      createdAt: 1_800_000_000,
      lastUsedAt: null,
    });
    const { challenge } = await pkce();
    const asked = await browser.get(authorizePath(client, challenge, { acr_values: MFA_ACR }));
    expect(asked.status).toBe(302);
    const login = new URL(asked.headers.get('location') as string, ORIGIN);
    expect(login.pathname).toBe('/auth/login');
    expect(login.searchParams.get('reason')).toBe('mfa');
    const page = await browser.get(`${login.pathname}${login.search}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('asks for a two-step sign-in: use your passkey');
    expect(html).toContain('id="passkey-login"');
  });

  it('says nothing of a step-up on a plain sign-in page', async () => {
    const { challenge } = await pkce();
    const asked = await new Browser().get(authorizePath(client, challenge, { acr_values: MFA_ACR }));
    const login = new URL(asked.headers.get('location') as string, ORIGIN);
    expect(login.searchParams.get('reason')).toBeNull();
    const html = await (await get(`${login.pathname}${login.search}`)).text();
    expect(html).not.toContain('two-step sign-in');
  });

  it('goes on with the acr it has for a user without a second factor (acr_values is voluntary)', async () => {
    const user = await newUser();
    const browser = await signedIn(user);
    const { verifier, challenge } = await pkce();
    const back = await backToClient(
      browser,
      await browser.get(authorizePath(client, challenge, { acr_values: MFA_ACR })),
    );
    const claims = await idTokenClaims(client, back, verifier);
    expect(claims.amr).toEqual(['pwd']);
    expect(claims.acr).toBe(BRONZE);
  });

  it('refuses an essential MFA acr the user cannot meet: unmet_authentication_requirements', async () => {
    const user = await newUser();
    const browser = await signedIn(user);
    const { challenge } = await pkce();
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [MFA_ACR] } } });
    const back = await backToClient(browser, await browser.get(authorizePath(client, challenge, { claims })));
    expect(back.searchParams.get('error')).toBe('unmet_authentication_requirements');
    expect(back.searchParams.get('state')).toBe('st');
  });

  it('steps up for prompt=none only by refusing: login_required', async () => {
    const { browser } = await passwordSessionWithApp();
    const { challenge } = await pkce();
    const res = await browser.get(authorizePath(client, challenge, { acr_values: MFA_ACR, prompt: 'none' }));
    const back = new URL(res.headers.get('location') as string, ORIGIN);
    expect(back.searchParams.get('error')).toBe('login_required');
  });
});

describe('Client policy: require_mfa and default_acr_values', () => {
  it('validates the metadata at registration', async () => {
    const res = await postJson(
      '/connect/register',
      { redirect_uris: [REDIRECT], require_mfa: 'yes' },
      { Authorization: `Bearer ${await adminToken()}` },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });

  it('refuses a require_mfa client for a user without a second factor', async () => {
    const strict = await register({ require_mfa: true });
    const user = await newUser();
    const browser = await signedIn(user);
    const { challenge } = await pkce();
    const back = await backToClient(browser, await browser.get(authorizePath(strict, challenge)));
    expect(back.searchParams.get('error')).toBe('unmet_authentication_requirements');
  });

  it('steps up for a client whose default_acr_values name MFA', async () => {
    const app = await register({ default_acr_values: [MFA_ACR] });
    const { browser } = await passwordSessionWithApp();
    const { challenge } = await pkce();
    const res = await browser.get(authorizePath(app, challenge));
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/auth\/login\?.*prompt=login/);
  });
});

describe('Administrators need a second factor (OAUTH2_MFA_REQUIRED_FOR_ADMINS)', () => {
  const app = createApp();
  const configured = { ...env, OAUTH2_MFA_REQUIRED_FOR_ADMINS: 'true' };
  const browserOf = () =>
    new Browser(ORIGIN, uniqueIp(), async (url, init) => app.request(url, init, configured));

  it('sends an administrator without one to /profile/security, and lets them in once they have one', async () => {
    const admin = await newUser('admin');
    const browser = browserOf();
    expect((await browser.signIn(admin.username, admin.password)).status).toBe(303);
    const refused = await browser.get('/admin');
    expect(refused.status).toBe(302);
    expect(refused.headers.get('location')).toBe('/profile/security?required=admin');
    expect(await (await browser.get('/profile/security?required=admin')).text()).toContain(
      'Administrators must',
    );

    const { secret, step } = await enrolTotp(browser);
    expect(currentStep() - step).toBeLessThanOrEqual(1);
    expect(secret).toBeTruthy();
    const admitted = await browser.get('/admin');
    expect(admitted.status).toBe(200);
  });

  it('leaves the admin API with a Bearer token alone', async () => {
    const res = await app.request(
      `${ORIGIN}/admin/api/users?limit=1`,
      { headers: { Authorization: `Bearer ${await adminToken()}` } },
      configured,
    );
    expect(res.status).toBe(200);
  });
});
