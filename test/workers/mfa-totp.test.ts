/**
 * Authenticator apps (RFC 6238 TOTP): the algorithm against the RFC's vectors, base32 (RFC 4648), the QR
 * code's structure, and over HTTP through the real Worker: set-up on /profile/security, sign-in with
 * password then code, single use of each time step and recovery code, the pending sign-in used once,
 * throttling, and the 5-minute window for changing factors.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { fromBase32, toBase32 } from '../../src/sign-in/mfa/base32';
import { qrMatrix, qrSvgPath } from '../../src/sign-in/mfa/qr-code';
import { hotp, matchTotpStep, otpauthUri, totpCode, totpStep } from '../../src/sign-in/mfa/totp';
import { signedIn } from './admin-helpers';
import { Browser, inputValue } from './helpers';
import { currentStep, enrolTotp, newUser, passwordStep, submitCode } from './mfa-helpers';

const RFC_6238_SEED = new TextEncoder().encode('12345678901234567890');

describe('TOTP (RFC 6238 Appendix B, SHA-1)', () => {
  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('T = %i gives %s', async (time, expected) => {
    expect(await hotp(RFC_6238_SEED, totpStep(time), 8)).toBe(expected);
  });

  it('accepts a code in its step and one step either side, not two', async () => {
    const secret = toBase32(RFC_6238_SEED);
    const code = await totpCode(secret, totpStep(1111111111));
    expect(await matchTotpStep(secret, code, 1111111111)).toBe(totpStep(1111111111));
    expect(await matchTotpStep(secret, code, 1111111111 + 30)).toBe(totpStep(1111111111));
    expect(await matchTotpStep(secret, code, 1111111111 - 30)).toBe(totpStep(1111111111));
    expect(await matchTotpStep(secret, code, 1111111111 + 60)).toBeNull();
  });
});

describe('base32 (RFC 4648 §10 test vectors)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('%s <-> %s', (text, encoded) => {
    const bytes = new TextEncoder().encode(text);
    expect(toBase32(bytes)).toBe(encoded);
    expect(fromBase32(encoded)).toEqual(bytes);
  });

  it('reads padding, spaces and lower case, and refuses other characters', () => {
    expect(new TextDecoder().decode(fromBase32('mzxw 6ytb oi======'))).toBe('foobar');
    expect(() => fromBase32('MZXW1')).toThrow(TypeError);
  });
});

describe('QR code of the otpauth URI', () => {
  const uri = otpauthUri('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'localhost:8787', 'alice');

  it('has the size of its version and the three finder patterns', () => {
    const matrix = qrMatrix(uri);
    const size = matrix.length;
    expect((size - 17) % 4).toBe(0);
    const finder = (x0: number, y0: number) =>
      Array.from({ length: 7 }, (_, y) =>
        Array.from({ length: 7 }, (_, x) => (matrix[y0 + y]?.[x0 + x] ? '1' : '0')).join(''),
      );
    const expected = ['1111111', '1000001', '1011101', '1011101', '1011101', '1000001', '1111111'];
    expect(finder(0, 0)).toEqual(expected);
    expect(finder(size - 7, 0)).toEqual(expected);
    expect(finder(0, size - 7)).toEqual(expected);
    // The dark module beside the lower-left finder (ISO/IEC 18004 §7.9.1).
    expect(matrix[size - 8]?.[8]).toBe(true);
  });

  it('carries format information for level M in both copies, BCH-valid', () => {
    const matrix = qrMatrix(uri);
    const size = matrix.length;
    const bit = (x: number, y: number) => (matrix[y]?.[x] ? 1 : 0);
    const first = [0, 1, 2, 3, 4, 5, 7, 8]
      .map((y) => bit(8, y))
      .concat([7, 5, 4, 3, 2, 1, 0].map((x) => bit(x, 8)));
    const second = Array.from({ length: 8 }, (_, i) => bit(size - 1 - i, 8)).concat(
      Array.from({ length: 7 }, (_, i) => bit(8, size - 7 + i)),
    );
    const value = (bits: number[]) => bits.reduce((acc, b, i) => acc | (b << i), 0);
    expect(value(first)).toBe(value(second));
    const format = value(first) ^ 0x5412;
    expect(format >>> 13).toBe(0); // level M is 00
    let rem = format >>> 10;
    for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
    expect(((format >>> 10) << 10) | rem).toBe(format);
  });

  it('draws only dark modules, inside the quiet zone', () => {
    const matrix = qrMatrix(uri);
    const path = qrSvgPath(matrix);
    const dark = matrix.flat().filter(Boolean).length;
    expect(path.match(/M/g)).toHaveLength(dark);
    expect(path.startsWith('M4 4h1v1h-1z')).toBe(true);
  });
});

describe('Authenticator app set-up (/profile/security)', () => {
  it('sends an anonymous browser to sign in', async () => {
    const res = await new Browser().get('/profile/security');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/auth/login?return_to=%2Fprofile%2Fsecurity');
  });

  it('lists no factor, then the app after a right code; a wrong code enables nothing', async () => {
    const user = await newUser();
    const browser = await signedIn(user);
    const page = await (await browser.get('/profile/security')).text();
    expect(page).not.toContain('data-factor=');
    expect(page).toContain('id="add-totp"');
    expect(page).toContain('id="add-passkey"');
    expect(page).toMatch(/<script nonce="[^"]+" src="\/auth\/passkeys.js"/);

    const setup = await browser.get('/profile/security/totp');
    const html = await setup.text();
    expect(setup.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).toContain('<svg');
    expect(html).toContain('otpauth://totp/');
    const secret = /data-totp-secret="([A-Z2-7]+)"/.exec(html)?.[1] as string;
    const wrong = await browser.postForm('/profile/security/totp', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      code: (Number(await totpCode(secret, currentStep())) ^ 1).toString().padStart(6, '0'),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain(`data-totp-secret="${secret}"`);
    expect((await (await browser.get('/profile/security')).text()).includes('data-factor="totp"')).toBe(
      false,
    );

    const enrolled = await enrolTotp(browser);
    expect(enrolled.secret).toBe(secret);
    const listed = await (await browser.get('/profile/security')).text();
    expect(listed).toContain('data-factor="totp"');
    const stored = await env.DB.prepare('SELECT secret_encrypted FROM totp_factors WHERE user_id = ?')
      .bind(user.id)
      .first<{ secret_encrypted: string }>();
    expect(stored?.secret_encrypted).not.toContain(secret);
  });

  it('asks for a new sign-in to change factors once the sign-in is older than 5 minutes', async () => {
    const user = await newUser();
    const browser = await signedIn(user);
    await env.DB.prepare('UPDATE sessions SET auth_time = auth_time - 301 WHERE user_id = ?')
      .bind(user.id)
      .run();
    const res = await browser.get('/profile/security/totp');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toContain('prompt=login');
    expect(await (await browser.get('/profile/security')).text()).toContain('sign in again');
  });
});

describe('Sign-in with an authenticator app', () => {
  async function enrolledUser() {
    const user = await newUser();
    const browser = await signedIn(user);
    return { user, enrolled: await enrolTotp(browser) };
  }

  it('signs in only after a right code; a used code is refused', async () => {
    const { user, enrolled } = await enrolledUser();
    const browser = new Browser();
    const html = await passwordStep(browser, user, '/profile/security');
    // Not signed in yet: no session cookie, the security page sends to sign in.
    expect([...browser.cookies.keys()]).not.toContain('session');
    expect((await browser.get('/profile/security')).status).toBe(302);

    // The confirming code's step is used; the next step is inside the window.
    const code = await totpCode(enrolled.secret, enrolled.step + 1);
    const done = await submitCode(browser, html, code);
    expect(done.status, await done.clone().text()).toBe(303);
    expect(done.headers.get('location')).toBe('/profile/security');
    expect((await browser.get('/profile/security')).status).toBe(200);

    const other = new Browser();
    const again = await passwordStep(other, user);
    const replayed = await submitCode(other, again, code);
    expect(replayed.status).toBe(401);
    expect(await replayed.text()).toContain('name="code"');
    const earlier = await submitCode(other, again, await totpCode(enrolled.secret, enrolled.step));
    expect(earlier.status).toBe(401);
    expect([...other.cookies.keys()]).not.toContain('session');
  });

  it('accepts each recovery code once, in the same input', async () => {
    const { user, enrolled } = await enrolledUser();
    const [recovery = ''] = enrolled.recoveryCodes;
    const first = new Browser();
    const done = await submitCode(first, await passwordStep(first, user), recovery.toUpperCase());
    expect(done.status).toBe(303);
    const second = new Browser();
    expect((await submitCode(second, await passwordStep(second, user), recovery)).status).toBe(401);
  });

  it('completes a pending sign-in once, whatever copy of its cookie comes back', async () => {
    const { user, enrolled } = await enrolledUser();
    const browser = new Browser();
    const html = await passwordStep(browser, user);
    const copy = new Browser(browser.origin, browser.ip);
    for (const [name, value] of browser.cookies) copy.cookies.set(name, value);
    const [one = '', two = ''] = enrolled.recoveryCodes;
    expect((await submitCode(browser, html, one)).status).toBe(303);
    const replay = await submitCode(copy, html, two);
    expect(replay.status).toBe(302);
    expect(replay.headers.get('location')).toMatch(/^\/auth\/login/);
    expect([...copy.cookies.keys()]).not.toContain('session');
  });

  it('throttles wrong codes like passwords (429 with Retry-After)', async () => {
    const { user } = await enrolledUser();
    const browser = new Browser();
    const html = await passwordStep(browser, user);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await submitCode(browser, html, '000000')).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const refused = await submitCode(browser, html, '000000');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('never asks a user without a second factor, and refuses a forged pending sign-in', async () => {
    // signedIn checks the password form's 303: no code page.
    await signedIn(await newUser());
    const forged = new Browser();
    forged.cookies.set('mfa_pending', 'v1.AAAA.BBBB');
    expect((await forged.get('/auth/mfa')).status).toBe(302);
  });

  it('removes the app within 5 minutes of signing in', async () => {
    const { user, enrolled } = await enrolledUser();
    const browser = new Browser();
    const html = await passwordStep(browser, user);
    expect((await submitCode(browser, html, enrolled.recoveryCodes[0] as string)).status).toBe(303);
    const page = await (await browser.get('/profile/security')).text();
    const action = '/profile/security/totp/remove';
    expect(page).toContain(`action="${action}"`);
    const removed = await browser.postForm(action, { csrf_token: inputValue(page, 'csrf_token') as string });
    expect(removed.status).toBe(303);
    expect(await (await browser.get('/profile/security')).text()).not.toContain('data-factor="totp"');
    expect((await new Browser().signIn(user.username, user.password)).status).toBe(303);
  });
});
