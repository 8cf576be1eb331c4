import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  PASSWORD_ITERATIONS,
  verifyPassword,
} from '../../src/crypto/password';
import { randomId } from '../../src/crypto/random';
import { createStorage } from '../../src/storage';
import { listAll } from '../../src/storage/contract/fixtures';
import { createD1Storage } from '../../src/storage/d1';
import { passwordProblem } from '../../src/users/password-policy';
import { ensureSeedAdmin } from '../../src/users/seed';
import { adminToken, Browser, expectOAuthError, ORIGIN, postJson, SEED_ADMIN } from './helpers';

const storage = createStorage(env);
const HASH_FORMAT = /^pbkdf2-sha256\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

function createUser(body: unknown, token: string | null = admin) {
  return postJson('/admin/api/users', body, token === null ? {} : { Authorization: `Bearer ${token}` });
}

const uniqueName = () =>
  `u-${randomId()
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')}`;

describe('POST /admin/api/users', () => {
  it('creates a user: 201 with the public fields, never the password hash', async () => {
    const username = uniqueName();
    const res = await createUser({
      username,
      password: 'a long enough passphrase',
      email: 'alice@example.com',
      name: 'Alice',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      username,
      email: 'alice@example.com',
      name: 'Alice',
      role: 'user',
      enabled: true,
      email_verified: false,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    expect(JSON.stringify(body)).not.toMatch(/pbkdf2|password/);
    const stored = await storage.users.getById(body.id as string);
    expect(stored?.passwordHash).toMatch(HASH_FORMAT);
  });

  it('stores the username lower-case, and honours role and email_verified', async () => {
    const username = uniqueName().toUpperCase();
    const res = await createUser({
      username,
      password: 'another good passphrase',
      role: 'admin',
      email: 'ops@example.com',
      email_verified: true,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({
      username: username.toLowerCase(),
      role: 'admin',
      email_verified: true,
    });
  });

  it('lets the new user sign in at once', async () => {
    const username = uniqueName();
    expect((await createUser({ username, password: 'sign-in passphrase 1' })).status).toBe(201);
    const browser = new Browser();
    expect((await browser.signIn(username, 'sign-in passphrase 1')).status).toBe(303);
    expect(await (await browser.get('/profile')).text()).toContain(username);
  });

  it('records a user.create audit entry naming the acting client', async () => {
    const username = uniqueName();
    const created = (await (await createUser({ username, password: 'audited passphrase' })).json()) as {
      id: string;
    };
    const entries = await listAll((page) => storage.auditLog.list(page));
    const entry = entries.find((e) => e.action === 'user.create' && e.targetId === created.id);
    expect(entry).toMatchObject({
      actorId: env.OAUTH2_ADMIN_CLIENT_ID,
      actorType: 'client',
      targetKind: 'user',
    });
    expect(JSON.stringify(entry)).not.toContain('audited passphrase');
  });

  it('answers 401 without a token, with an RFC 6750 challenge', async () => {
    const res = await createUser({ username: uniqueName(), password: 'whatever passphrase' }, null);
    await expectOAuthError(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('answers 401 for a forged token', async () => {
    await expectOAuthError(
      await createUser({ username: uniqueName(), password: 'x' }, 'forged.token.value'),
      401,
      'invalid_token',
    );
  });

  it('answers 403 insufficient_scope for a token without scope admin', async () => {
    const read = await adminToken('read');
    await expectOAuthError(
      await createUser({ username: uniqueName(), password: 'whatever passphrase' }, read),
      403,
      'insufficient_scope',
    );
  });

  it.each([
    [{ password: 'good passphrase' }, /username/],
    [{ username: '', password: 'good passphrase' }, /username/],
    [{ username: 'has space', password: 'good passphrase' }, /username/],
    [{ username: '-leading', password: 'good passphrase' }, /username/],
    [{ username: 'x'.repeat(65), password: 'good passphrase' }, /username/],
    [{ username: 'ok' }, /password/],
    [{ username: 'ok', password: 'short' }, /password/],
    [{ username: 'ok', password: 'x'.repeat(257) }, /password/],
    [{ username: 'ok', password: 'Password123' }, /password.*common/],
    [{ username: 'ok', password: 12345678 }, /password/],
    [{ username: 'ok', password: 'good passphrase', email: 'not-an-email' }, /email/],
    [{ username: 'ok', password: 'good passphrase', name: '' }, /name/],
    [{ username: 'ok', password: 'good passphrase', role: 'root' }, /role/],
    [{ username: 'ok', password: 'good passphrase', email_verified: 'yes' }, /email_verified/],
  ])('answers 400 invalid_request naming the field for %j', async (body, field) => {
    const error = await expectOAuthError(await createUser(body), 400, 'invalid_request');
    expect(error.error_description).toMatch(field);
  });

  it('answers 400 for a non-object or non-JSON body', async () => {
    await expectOAuthError(await createUser([1, 2]), 400, 'invalid_request');
    const res = await SELF.fetch(`${ORIGIN}/admin/api/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=a',
    });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('answers 409 for a taken username, compared case-insensitively', async () => {
    const username = uniqueName();
    expect((await createUser({ username, password: 'first passphrase' })).status).toBe(201);
    await expectOAuthError(
      await createUser({ username: username.toUpperCase(), password: 'second passphrase' }),
      409,
      'invalid_request',
    );
    await expectOAuthError(
      await createUser({ username: SEED_ADMIN.username, password: 'third passphrase' }),
      409,
      'invalid_request',
    );
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await SELF.fetch(`${ORIGIN}/api-docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operation = doc.paths['/admin/api/users']?.post;
    expect(Object.keys(operation?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '409']),
    );
  });
});

describe('Password hashing (PBKDF2-SHA256, 100,000 iterations)', () => {
  it('produces pbkdf2-sha256$100000$<16-byte salt>$<32-byte hash>, salted anew each time', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a).toMatch(HASH_FORMAT);
    expect(a).not.toBe(b);
    expect(PASSWORD_ITERATIONS).toBe(100_000);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('right one');
    expect(await verifyPassword('right one', hash)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword('wrong one', hash)).toEqual({ ok: false, needsRehash: false });
    expect(await verifyPassword('right on', hash)).toEqual({ ok: false, needsRehash: false });
  });

  it('makes unknown users cost a full verification: the dummy hash has the current parameters', () => {
    expect(DUMMY_PASSWORD_HASH).toMatch(HASH_FORMAT);
  });

  it('asks for a rehash only when a weaker hash matched', async () => {
    const weak = await hashPassword('legacy', 1000);
    expect(weak).toMatch(/^pbkdf2-sha256\$1000\$/);
    expect(await verifyPassword('legacy', weak)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword('not legacy', weak)).toEqual({ ok: false, needsRehash: false });
  });

  it.each([
    '',
    'plaintext',
    'bcrypt$2b$10$abc',
    'pbkdf2-sha256$100000$c2FsdA',
    'pbkdf2-sha512$100000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
    'pbkdf2-sha256$0$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
    'pbkdf2-sha256$100001$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
    'pbkdf2-sha256$-5$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
    'pbkdf2-sha256$100000$!!!$aGFzaGhhc2hoYXNoaGFzaA',
    'pbkdf2-sha256$100000$c2FsdA$aGFzaGhhc2hoYXNoaGFzaA',
    'pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0$aGFzaA',
  ])('refuses (never throws on) the stored format %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('upgrades a weaker stored hash at the next sign-in', async () => {
    const now = Math.floor(Date.now() / 1000);
    const user = {
      id: randomId(),
      username: uniqueName(),
      email: null,
      name: null,
      passwordHash: await hashPassword('upgrade me please', 10_000),
      role: 'user' as const,
      enabled: true,
      emailVerified: false,
      createdAt: now,
      updatedAt: now,
    };
    await storage.users.create(user);
    expect((await new Browser().signIn(user.username, 'upgrade me please')).status).toBe(303);
    const stored = await storage.users.getById(user.id);
    expect(stored?.passwordHash).toMatch(HASH_FORMAT);
    expect(await verifyPassword('upgrade me please', stored?.passwordHash ?? '')).toEqual({
      ok: true,
      needsRehash: false,
    });
    expect((await new Browser().signIn(user.username, 'upgrade me please')).status).toBe(303);
  });

  it('policy: 8 to 256 characters (code points), not a common password', () => {
    expect(passwordProblem('1234567')).toMatch(/8 to 256/);
    expect(passwordProblem('\u{1F600}'.repeat(8))).toBeNull();
    expect(passwordProblem('x'.repeat(256))).toBeNull();
    expect(passwordProblem('x'.repeat(257))).toMatch(/8 to 256/);
    expect(passwordProblem('PASSWORD1')).toMatch(/common/);
    expect(passwordProblem('a perfectly fine passphrase')).toBeNull();
  });
});

describe('Seed admin (OAUTH2_SEED_*)', () => {
  function configWith(vars: Record<string, string>) {
    const result = parseConfig({ ...env, ...vars });
    if (!result.ok) throw new Error(result.problems.join('; '));
    return result.config;
  }

  it('is created once, as an admin with a verified e-mail, and is idempotent', async () => {
    const fresh = createD1Storage(env.DB);
    const username = uniqueName();
    const config = configWith({ OAUTH2_SEED_USERNAME: username, OAUTH2_SEED_EMAIL: 'root@example.com' });
    const now = () => 1_800_000_000;
    await Promise.all([ensureSeedAdmin(fresh, config, now), ensureSeedAdmin(fresh, config, now)]);
    const seed = await fresh.users.getByUsername(username);
    expect(seed).toMatchObject({
      role: 'admin',
      enabled: true,
      emailVerified: true,
      email: 'root@example.com',
    });
    expect(await verifyPassword(env.OAUTH2_SEED_PASSWORD ?? '', seed?.passwordHash ?? '')).toMatchObject({
      ok: true,
    });
    await ensureSeedAdmin(createD1Storage(env.DB), config, now);
    expect(await fresh.users.getByUsername(username)).toEqual(seed);
  });

  it('leaves an existing user of that name untouched (the password is not reset from configuration)', async () => {
    const username = uniqueName();
    const now = Math.floor(Date.now() / 1000);
    const existing = {
      id: randomId(),
      username,
      email: null,
      name: null,
      passwordHash: await hashPassword('the users own password'),
      role: 'user' as const,
      enabled: true,
      emailVerified: false,
      createdAt: now,
      updatedAt: now,
    };
    await storage.users.create(existing);
    await ensureSeedAdmin(createD1Storage(env.DB), configWith({ OAUTH2_SEED_USERNAME: username }), () => now);
    expect(await storage.users.getById(existing.id)).toEqual(existing);
  });

  it('survives losing the creation race to another isolate (ConflictError)', async () => {
    const username = uniqueName();
    const config = configWith({ OAUTH2_SEED_USERNAME: username });
    const racing = createD1Storage(env.DB);
    const getByUsername = racing.users.getByUsername.bind(racing.users);
    // The other isolate creates the user between this isolate's lookup and its insert.
    racing.users.getByUsername = async (name) => {
      const found = await getByUsername(name);
      const now = Math.floor(Date.now() / 1000);
      await storage.users.create({
        id: randomId(),
        username,
        email: null,
        name: null,
        passwordHash: await hashPassword('other isolate'),
        role: 'admin',
        enabled: true,
        emailVerified: true,
        createdAt: now,
        updatedAt: now,
      });
      return found;
    };
    await expect(ensureSeedAdmin(racing, config, () => 1)).resolves.toBeUndefined();
  });
});
