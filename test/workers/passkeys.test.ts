/**
 * Passkeys (WebAuthn Level 2) through the real Worker, with a software authenticator written here: an
 * ES256 key pair from WebCrypto, clientDataJSON, authenticator data and the attestation object ("none",
 * CBOR) built by hand, assertions signed and DER-encoded as authenticators do.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/crypto/encoding';
import { sha256 } from '../../src/crypto/hash';
import { startSession } from '../../src/sign-in/session';
import { createStorage } from '../../src/storage';
import type { UserRecord } from '../../src/storage/ports';
import { Browser, expectOAuthError, ORIGIN, signedInBrowser } from './helpers';

const storage = createStorage(env);
const RP_ID = new URL(ORIGIN).hostname;

// --- A minimal CBOR encoder (RFC 8949): the major types an attestation object and a COSE key use. ---

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

function cborHead(major: number, value: number): number[] {
  if (value < 24) return [(major << 5) | value];
  if (value < 0x100) return [(major << 5) | 24, value];
  if (value < 0x10000) return [(major << 5) | 25, value >> 8, value & 0xff];
  return [(major << 5) | 26, (value >>> 24) & 0xff, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

function cbor(value: Cbor): number[] {
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = utf8(value);
    return [...cborHead(3, bytes.length), ...bytes];
  }
  if (value instanceof Uint8Array) return [...cborHead(2, value.length), ...value];
  const entries = [...value].flatMap(([key, item]) => [...cbor(key), ...cbor(item)]);
  return [...cborHead(5, value.size), ...entries];
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(parts.flatMap((part) => [...part]));
}

/** An ECDSA signature as WebCrypto gives it (r || s) in the DER form WebAuthn carries (ASN.1 SEQUENCE). */
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = [...bytes.slice(start)];
    const body = (trimmed[0] ?? 0) & 0x80 ? [0, ...trimmed] : trimmed;
    return [0x02, body.length, ...body];
  };
  const body = [...integer(raw.slice(0, 32)), ...integer(raw.slice(32))];
  return new Uint8Array([0x30, body.length, ...body]);
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

interface Options {
  challenge: string;
  rp?: { id: string };
  user?: { id: string };
  excludeCredentials?: { id: string }[];
  allowCredentials?: unknown[];
  authenticatorSelection?: { residentKey?: string; userVerification?: string };
  userVerification?: string;
}

/** A software passkey: one ES256 credential, a signature counter, optionally synced (backup flags). */
class SoftwareAuthenticator {
  readonly credentialId = crypto.getRandomValues(new Uint8Array(16));
  counter = 0;
  userHandle: string | null = null;
  private keys: CryptoKeyPair | undefined;

  constructor(readonly options: { synced?: boolean; origin?: string; userVerified?: boolean } = {}) {}

  get id(): string {
    return toBase64Url(this.credentialId);
  }

  private async keyPair(): Promise<CryptoKeyPair> {
    this.keys ??= (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    return this.keys;
  }

  private flags(extra: number): number {
    const backup = this.options.synced ? FLAG_BE | FLAG_BS : 0;
    return FLAG_UP | (this.options.userVerified === false ? 0 : FLAG_UV) | backup | extra;
  }

  private async rpIdHash(rpId: string): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(rpId)));
  }

  private clientData(type: string, challenge: string): Uint8Array<ArrayBuffer> {
    return utf8(
      JSON.stringify({ type, challenge, origin: this.options.origin ?? ORIGIN, crossOrigin: false }),
    );
  }

  private counterBytes(): number[] {
    const n = this.counter;
    return [(n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  }

  /** navigator.credentials.create(), answered as RegistrationResponseJSON. */
  async create(options: Options) {
    const jwk = (await crypto.subtle.exportKey('jwk', (await this.keyPair()).publicKey)) as JsonWebKey;
    const coseKey = new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, fromB64(jwk.x ?? '')],
      [-3, fromB64(jwk.y ?? '')],
    ]);
    const authData = concat(
      await this.rpIdHash(options.rp?.id ?? RP_ID),
      [this.flags(FLAG_AT)],
      this.counterBytes(),
      new Uint8Array(16),
      [0, this.credentialId.length],
      this.credentialId,
      cbor(coseKey),
    );
    const attestation = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    this.userHandle = options.user?.id ?? null;
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: toBase64Url(this.clientData('webauthn.create', options.challenge)),
        attestationObject: toBase64Url(new Uint8Array(attestation)),
        transports: ['internal'],
      },
    };
  }

  /** navigator.credentials.get(), answered as AuthenticationResponseJSON (the counter moves first). */
  async get(options: Options, counter = this.counter + 1) {
    this.counter = counter;
    const authData = concat(await this.rpIdHash(RP_ID), [this.flags(0)], this.counterBytes());
    const clientDataJSON = this.clientData('webauthn.get', options.challenge);
    const clientDataHash = new Uint8Array(await crypto.subtle.digest('SHA-256', clientDataJSON));
    const raw = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      (await this.keyPair()).privateKey,
      concat(authData, clientDataHash),
    );
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        authenticatorData: toBase64Url(authData),
        signature: toBase64Url(derSignature(new Uint8Array(raw))),
        ...(this.userHandle === null ? {} : { userHandle: this.userHandle }),
      },
    };
  }
}

function fromB64(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

// --- Driving the endpoints as /auth/passkeys.js does. ---

function postJson(browser: Browser, path: string, body: unknown, csrf: string): Promise<Response> {
  return browser.fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
  });
}

async function register(browser: Browser, csrf: string, authenticator: SoftwareAuthenticator) {
  const options = await postJson(browser, '/auth/passkeys/registration/options', {}, csrf);
  expect(options.status, await options.clone().text()).toBe(200);
  const creation = (await options.json()) as Options;
  return postJson(browser, '/auth/passkeys/registration', await authenticator.create(creation), csrf);
}

/** The login page's browser, CSRF token and fresh request options. */
async function loginOptions(browser = new Browser()) {
  const csrf = await browser.loginToken();
  const res = await postJson(browser, '/auth/passkeys/authentication/options', {}, csrf);
  expect(res.status).toBe(200);
  return { browser, csrf, options: (await res.json()) as Options };
}

/** The session the browser's cookie names. */
async function sessionOf(browser: Browser) {
  const cookie = browser.cookies.get('session');
  expect(cookie).toBeTruthy();
  return storage.sessions.get(await sha256(cookie ?? ''), Math.floor(Date.now() / 1000));
}

interface SignedIn {
  browser: Browser;
  /** The CSRF token of the browser's pages. */
  csrf: string;
  user: UserRecord;
}

/** A new user (created through the admin API), signed in with the password just now. */
async function newSignedInUser(): Promise<SignedIn> {
  const browser = await signedInBrowser('passkey');
  const user = (await sessionOf(browser))?.user;
  if (!user) throw new Error('not signed in');
  return { browser, csrf: await browser.tokenOf('/profile'), user };
}

/** A new user who registered `device` as a passkey. */
async function userWithPasskey(device = new SoftwareAuthenticator()): Promise<SignedIn> {
  const signedIn = await newSignedInUser();
  expect((await register(signedIn.browser, signedIn.csrf, device)).status).toBe(201);
  return signedIn;
}

let alice: UserRecord;
let alicePasskey: SoftwareAuthenticator;

beforeAll(async () => {
  alicePasskey = new SoftwareAuthenticator();
  alice = (await userWithPasskey(alicePasskey)).user;
});

describe('Passkey registration (WebAuthn Level 2 §7.1)', () => {
  it('asks for a discoverable credential with user verification, for this RP ID, excluding known ones', async () => {
    const device = new SoftwareAuthenticator();
    const { browser, csrf } = await userWithPasskey(device);
    const res = await postJson(browser, '/auth/passkeys/registration/options', {}, csrf);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const options = (await res.json()) as Options & { pubKeyCredParams: { alg: number }[] };
    expect(options.rp?.id).toBe(RP_ID);
    expect(options.authenticatorSelection?.residentKey).toBe('required');
    expect(options.authenticatorSelection?.userVerification).toBe('required');
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -257]);
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([device.id]);
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  });

  it('stores the passkey under a default name and lists it for the user', async () => {
    const { browser, csrf, user } = await newSignedInUser();
    const authenticator = new SoftwareAuthenticator({ synced: true });
    const res = await register(browser, csrf, authenticator);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { name: string; credential_id: string };
    expect(body.credential_id).toBe(authenticator.id);
    expect(body.name).toMatch(/^Synced passkey \(\d{4}-\d{2}-\d{2}\)$/);
    const stored = await storage.mfa.getPasskey(authenticator.id);
    expect(stored).toMatchObject({
      userId: user.id,
      deviceType: 'multiDevice',
      backedUp: true,
      signCount: 0,
    });
    expect(stored?.transports).toEqual(['internal']);
  });

  it('refuses without a sign-in, and more than 5 minutes after signing in (login_required)', async () => {
    const anonymous = new Browser();
    const csrf = await anonymous.loginToken();
    await expectOAuthError(
      await postJson(anonymous, '/auth/passkeys/registration/options', {}, csrf),
      401,
      'login_required',
    );

    const { user } = await newSignedInUser();
    const started = await startSession(storage, user, Math.floor(Date.now() / 1000) - 6 * 60, ['pwd']);
    const stale = new Browser();
    stale.cookies.set('session', started.cookieValue);
    const staleCsrf = await stale.tokenOf('/profile');
    const refused = await expectOAuthError(
      await postJson(stale, '/auth/passkeys/registration/options', {}, staleCsrf),
      401,
      'login_required',
    );
    expect(refused.error_description).toMatch(/sign in again/i);
  });

  it('refuses a request without the CSRF token (403)', async () => {
    const { browser } = await newSignedInUser();
    await expectOAuthError(
      await postJson(browser, '/auth/passkeys/registration/options', {}, 'forged'),
      403,
      'access_denied',
    );
  });

  it('refuses an attestation from another origin, and a challenge used once already', async () => {
    const { browser, csrf, user } = await newSignedInUser();
    const options = (await (
      await postJson(browser, '/auth/passkeys/registration/options', {}, csrf)
    ).json()) as Options;
    const phished = await new SoftwareAuthenticator({ origin: 'https://evil.example' }).create(options);
    await expectOAuthError(
      await postJson(browser, '/auth/passkeys/registration', phished, csrf),
      400,
      'invalid_request',
    );
    // The challenge went with the failed attempt: a right answer to it is refused too.
    const late = await new SoftwareAuthenticator().create(options);
    await expectOAuthError(
      await postJson(browser, '/auth/passkeys/registration', late, csrf),
      400,
      'invalid_request',
    );
    expect(await storage.mfa.listPasskeys(user.id)).toEqual([]);
  });
});

describe('Passkey sign-in (WebAuthn Level 2 §7.2, discoverable credentials)', () => {
  it('offers any passkey of this RP ID (no allowCredentials) with user verification required', async () => {
    const { options } = await loginOptions();
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('required');
    expect(options.rp === undefined).toBe(true);
  });

  it('signs the user in with amr hwk, user, mfa and answers where the sign-in goes on', async () => {
    const { browser, csrf, options } = await loginOptions();
    const assertion = await alicePasskey.get(options);
    const res = await postJson(
      browser,
      '/auth/passkeys/authentication',
      { ...assertion, return_to: '/profile/security' },
      csrf,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ redirect: '/profile/security' });
    const found = await sessionOf(browser);
    expect(found?.user.id).toBe(alice.id);
    expect(found?.session.amr?.split(' ')).toEqual(['hwk', 'user', 'mfa']);
    expect((await storage.mfa.getPasskey(alicePasskey.id))?.signCount).toBe(alicePasskey.counter);
  });

  it('an unsafe return_to goes to the profile instead', async () => {
    const { browser, csrf, options } = await loginOptions();
    const assertion = await alicePasskey.get(options);
    const res = await postJson(
      browser,
      '/auth/passkeys/authentication',
      { ...assertion, return_to: 'https://evil.example/' },
      csrf,
    );
    expect(await res.json()).toEqual({ redirect: '/profile' });
  });

  it('a synced passkey signs in with swk', async () => {
    const synced = new SoftwareAuthenticator({ synced: true });
    await userWithPasskey(synced);
    const { browser, csrf, options } = await loginOptions();
    const res = await postJson(browser, '/auth/passkeys/authentication', await synced.get(options), csrf);
    expect(res.status).toBe(200);
    expect((await sessionOf(browser))?.session.amr?.split(' ')).toEqual(['swk', 'user', 'mfa']);
  });

  it('a passkey the server does not know signs nobody in (generic access_denied)', async () => {
    const { browser, csrf, options } = await loginOptions();
    const stranger = new SoftwareAuthenticator();
    stranger.userHandle = toBase64Url(utf8(alice.id));
    const refused = await expectOAuthError(
      await postJson(browser, '/auth/passkeys/authentication', await stranger.get(options), csrf),
      401,
      'access_denied',
    );
    expect(refused.error_description).toBe('That passkey did not sign you in.');
    expect(browser.cookies.has('session')).toBe(false);
  });

  it('a challenge signs in once: the same assertion again is refused', async () => {
    const { browser, csrf, options } = await loginOptions();
    const assertion = await alicePasskey.get(options);
    expect((await postJson(browser, '/auth/passkeys/authentication', assertion, csrf)).status).toBe(200);
    const again = new Browser();
    const againCsrf = await again.loginToken();
    await expectOAuthError(
      await postJson(again, '/auth/passkeys/authentication', assertion, againCsrf),
      401,
      'access_denied',
    );
  });

  it('refuses a signature counter that went backwards (a cloned authenticator) and keeps the stored one', async () => {
    const device = new SoftwareAuthenticator();
    await userWithPasskey(device);
    const first = await loginOptions();
    const ok = await postJson(
      first.browser,
      '/auth/passkeys/authentication',
      await device.get(first.options, 7),
      first.csrf,
    );
    expect(ok.status).toBe(200);

    const second = await loginOptions();
    const cloned = await device.get(second.options, 3);
    await expectOAuthError(
      await postJson(second.browser, '/auth/passkeys/authentication', cloned, second.csrf),
      401,
      'access_denied',
    );
    expect((await storage.mfa.getPasskey(device.id))?.signCount).toBe(7);
  });

  it('refuses an assertion without user verification', async () => {
    const device = new SoftwareAuthenticator();
    await userWithPasskey(device);
    const { browser, csrf, options } = await loginOptions();
    // The same authenticator, now asserting presence only (UV flag clear).
    device.options.userVerified = false;
    await expectOAuthError(
      await postJson(browser, '/auth/passkeys/authentication', await device.get(options), csrf),
      401,
      'access_denied',
    );
  });

  it('a disabled user cannot sign in with their passkey', async () => {
    const device = new SoftwareAuthenticator();
    const { user } = await userWithPasskey(device);
    await storage.users.update({ ...user, enabled: false });
    const { browser, csrf, options } = await loginOptions();
    await expectOAuthError(
      await postJson(browser, '/auth/passkeys/authentication', await device.get(options), csrf),
      401,
      'access_denied',
    );
  });
});

describe('/auth/passkeys.js', () => {
  it('is JavaScript, cached, and revalidated by its ETag', async () => {
    const browser = new Browser();
    const res = await browser.get('/auth/passkeys.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
    expect(await res.text()).toContain('navigator.credentials.get');
    const etag = res.headers.get('etag') ?? '';
    expect((await browser.get('/auth/passkeys.js', { 'If-None-Match': etag })).status).toBe(304);
  });

  it('the login page loads it by its nonce (script-src nonce only, connect-src self) outside the form', async () => {
    const res = await new Browser().get('/auth/login?return_to=%2Fprofile%2Fsecurity');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}" src="/auth/passkeys.js" defer="">`);
    expect(html.match(/<form/g)).toHaveLength(1);
    const button = /<button[^>]*id="passkey-login"[^>]*>/.exec(html)?.[0] ?? '';
    expect(button).toContain('type="button"');
    expect(button).toContain('data-return-to="/profile/security"');
    expect(html.indexOf('id="passkey-login"')).toBeGreaterThan(html.indexOf('</form>'));
    expect(html).toContain('autocomplete="username webauthn"');
    expect(html).toMatch(/<noscript>.*passkey.*JavaScript.*<\/noscript>/s);
  });
});
