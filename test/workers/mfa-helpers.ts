/** Users with and without an authenticator app, for the multi-factor suites: set up over HTTP like a person. */
import { expect } from 'vitest';
import { totpCode, totpStep } from '../../src/sign-in/mfa/totp';
import { AdminApi, createTestUser, type TestUser } from './admin-helpers';
import { type Browser, inputValue } from './helpers';

export const MFA_ACR = 'http://schemas.openid.net/pape/policies/2007/06/multi-factor';

export type { TestUser } from './admin-helpers';

/** A new user (role `user` unless said), through the admin API. */
export async function newUser(role: 'user' | 'admin' = 'user'): Promise<TestUser> {
  return createTestUser(await AdminApi.create(), { role });
}

/** The current RFC 6238 step by the wall clock. */
export function currentStep(): number {
  return totpStep(Math.floor(Date.now() / 1000));
}

/** What a set-up left: the secret, the step its confirming code was of, and the recovery codes. */
export interface Enrolled {
  secret: string;
  step: number;
  recoveryCodes: string[];
}

/** Sets up an authenticator app on the security page of a (recently) signed-in browser. */
export async function enrolTotp(browser: Browser): Promise<Enrolled> {
  const setup = await browser.get('/profile/security/totp');
  const html = await setup.text();
  expect(setup.status, html).toBe(200);
  const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(html)?.[1] as string;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  const step = currentStep();
  const done = await browser.postForm('/profile/security/totp', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    code: await totpCode(secret, step),
  });
  const page = await done.text();
  expect(done.status, page).toBe(200);
  const recoveryCodes = [...page.matchAll(/data-recovery-code="([^"]+)"/g)].map((m) => m[1] as string);
  expect(recoveryCodes).toHaveLength(10);
  return { secret, step, recoveryCodes };
}

/** Posts the password form; answers the code page (200) of a user with an authenticator app. */
export async function passwordStep(browser: Browser, user: TestUser, returnTo?: string): Promise<string> {
  const res = await browser.signIn(user.username, user.password, returnTo);
  const html = await res.text();
  expect(res.status, html).toBe(200);
  expect(html).toContain('name="code"');
  return html;
}

/** Posts `code` on the code page `html`. */
export function submitCode(browser: Browser, html: string, code: string): Promise<Response> {
  return browser.postForm('/auth/mfa', { csrf_token: inputValue(html, 'csrf_token') as string, code });
}
