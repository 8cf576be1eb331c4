import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  dueRotationSteps,
  MIN_PREPUBLISH_SECS,
  retirementDelaySecs,
  toKeyRotationConfig,
} from '../../src/crypto/key-rotation';
import { KEY_SLOTS } from '../../src/crypto/signing-keys';
import type { SigningKeyRecord } from '../../src/storage/ports';
import worker from '../../worker/index';
import { runScheduledJobs, type ScheduledJob } from '../../worker/jobs/scheduled';
import { configuredFetch, json } from './admin-helpers';
import { ADMIN_ID, ADMIN_SECRET, basic } from './helpers';

const DAY = 86_400;
/** vitest.config.ts sets no rotation variables: 30 days, 1 day of pre-publication, 1 h access tokens. */
const ROTATION = 30 * DAY;
const PREPUBLISH = DAY;
const RETIRE_AFTER = retirementDelaySecs(3600, 3600);

interface KeyView {
  kid: string;
  alg: 'ES256' | 'RS256';
  use: 'access_token' | 'id_token';
  status: 'next' | 'active' | 'retiring' | 'retired';
  created_at: number;
  retires_at: number | null;
}

/**
 * The admin API through a fresh isolate each time: the test moves the clock by weeks, so a token signed
 * earlier (or by an isolate whose key cache predates a promotion) may rightly be dead by now.
 */
async function adminCall(method: string, path: string): Promise<Response> {
  const fetcher = configuredFetch({});
  const res = await fetcher('/oauth/token', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: basic(ADMIN_ID, ADMIN_SECRET),
    },
    body: 'grant_type=client_credentials&scope=admin',
  });
  const { access_token: token } = await json<{ access_token: string }>(res, 200);
  return fetcher(path, { method, headers: { Authorization: `Bearer ${token}` } });
}

async function keys(): Promise<KeyView[]> {
  return (await json<{ items: KeyView[] }>(await adminCall('GET', '/admin/api/keys'), 200)).items;
}

/** The keys of one use (and, for ID tokens, the default RS256 algorithm) in one status. */
function only(list: KeyView[], use: KeyView['use'], status: KeyView['status'], alg = ALG[use]): KeyView[] {
  return list.filter((key) => key.use === use && key.alg === alg && key.status === status);
}
const ALG = { access_token: 'ES256', id_token: 'RS256' } as const;

/** One Cron Trigger tick through the Worker's scheduled handler, at a chosen time. */
async function tick(atSecs: number) {
  const controller = createScheduledController({
    scheduledTime: new Date(atSecs * 1000),
    cron: '17 * * * *',
  });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

/** A fresh app and env object: per-isolate caches (keys) start empty, as in an isolate that starts now. */
function freshIsolate() {
  const fetcher = configuredFetch({});
  return {
    jwksKids: async () =>
      (await json<{ keys: { kid: string }[] }>(await fetcher('/.well-known/jwks.json'), 200)).keys.map(
        (key) => key.kid,
      ),
    token: async () => {
      const res = await fetcher('/oauth/token', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        },
        body: 'grant_type=client_credentials&scope=read',
      });
      return (await json<{ access_token: string }>(res, 200)).access_token;
    },
    active: async (token: string) => {
      const res = await fetcher('/oauth/introspect', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: basic(ADMIN_ID, ADMIN_SECRET),
        },
        body: new URLSearchParams({ token }).toString(),
      });
      return (await json<{ active: boolean }>(res, 200)).active;
    },
  };
}

describe('Scheduled signing-key rotation (Cron Trigger)', () => {
  it('pre-publishes, promotes with overlap, then retires, driven by the scheduled time', async () => {
    const start = await keys();
    const [oldAccess] = only(start, 'access_token', 'active');
    const [oldId] = only(start, 'id_token', 'active');
    const [oldIdEs] = only(start, 'id_token', 'active', 'ES256');
    if (!oldAccess || !oldId || !oldIdEs) throw new Error('no active keys');
    const created = Math.max(oldAccess.created_at, oldId.created_at, oldIdEs.created_at);
    const before = freshIsolate();
    const oldToken = await before.token();
    expect(decodeProtectedHeader(oldToken).kid).toBe(oldAccess.kid);

    // Nothing is due yet: the tick changes nothing.
    await tick(created + 60);
    expect(await keys()).toEqual(start);

    // One pre-publication period before the key's age reaches the rotation period: a `next` key per use,
    // in the JWKS, not signing.
    const prepublishAt = created + ROTATION - PREPUBLISH;
    await tick(prepublishAt);
    const published = await keys();
    const [nextAccess] = only(published, 'access_token', 'next');
    const [nextId] = only(published, 'id_token', 'next');
    const [nextIdEs] = only(published, 'id_token', 'next', 'ES256');
    if (!nextAccess || !nextId || !nextIdEs) throw new Error('no next keys');
    expect(only(published, 'access_token', 'active').map((key) => key.kid)).toEqual([oldAccess.kid]);
    const during = freshIsolate();
    expect(await during.jwksKids()).toEqual(
      expect.arrayContaining([oldAccess.kid, oldId.kid, nextAccess.kid, nextId.kid]),
    );
    expect(decodeProtectedHeader(await during.token()).kid).toBe(oldAccess.kid);

    // A second tick in the same period is a no-op (idempotent), and so is one before the period ends.
    await tick(prepublishAt + 60);
    await tick(prepublishAt + PREPUBLISH - 60);
    expect(await keys()).toEqual(published);

    // Published long enough: the successor signs; the old key verifies until its tokens have expired.
    const promoteAt = prepublishAt + PREPUBLISH;
    await tick(promoteAt);
    const promoted = await keys();
    expect(only(promoted, 'access_token', 'active').map((key) => key.kid)).toEqual([nextAccess.kid]);
    expect(only(promoted, 'id_token', 'active').map((key) => key.kid)).toEqual([nextId.kid]);
    expect(only(promoted, 'id_token', 'active', 'ES256').map((key) => key.kid)).toEqual([nextIdEs.kid]);
    const retiring = only(promoted, 'access_token', 'retiring');
    expect(retiring).toEqual([
      expect.objectContaining({ kid: oldAccess.kid, retires_at: promoteAt + RETIRE_AFTER }),
    ]);
    const after = freshIsolate();
    expect(decodeProtectedHeader(await after.token()).kid).toBe(nextAccess.kid);
    expect(await after.active(oldToken)).toBe(true);
    expect(await after.jwksKids()).toEqual(expect.arrayContaining([oldAccess.kid, nextAccess.kid]));

    // Once every token the old keys signed has expired they leave the JWKS.
    await tick(promoteAt + RETIRE_AFTER);
    const retired = await keys();
    expect(only(retired, 'access_token', 'retired').map((key) => key.kid)).toContain(oldAccess.kid);
    expect(only(retired, 'id_token', 'retired').map((key) => key.kid)).toContain(oldId.kid);
    const later = freshIsolate();
    const kids = await later.jwksKids();
    expect(kids).not.toContain(oldAccess.kid);
    expect(kids).not.toContain(oldId.kid);
    expect(kids).toEqual(expect.arrayContaining([nextAccess.kid, nextId.kid]));
  });

  it('a manual rotation promotes an already published successor instead of an unpublished key', async () => {
    const start = await keys();
    const [active] = only(start, 'access_token', 'active');
    if (!active) throw new Error('no active key');
    await tick(active.created_at + ROTATION - PREPUBLISH);
    const [next] = only(await keys(), 'access_token', 'next');
    if (!next) throw new Error('no next key');
    await json(await adminCall('POST', '/admin/api/keys/rotate'), 200);
    const rotated = await keys();
    expect(only(rotated, 'access_token', 'active').map((key) => key.kid)).toEqual([next.kid]);
    expect(only(rotated, 'access_token', 'next')).toEqual([]);
  });
});

describe('Scheduled jobs', () => {
  it('runs every job even when one fails, and reports the failed one', async () => {
    const ran: number[] = [];
    const jobs: ScheduledJob[] = [
      {
        name: 'broken',
        run: () => Promise.reject(new Error('boom')),
      },
      {
        name: 'fine',
        run: async (_env, _ctx, now) => {
          ran.push(now);
        },
      },
    ];
    const controller = createScheduledController({
      scheduledTime: new Date(1_800_000_000_000),
      cron: '17 * * * *',
    });
    const failed = await runScheduledJobs(controller, env, createExecutionContext(), jobs);
    expect(failed).toEqual(['broken']);
    expect(ran).toEqual([1_800_000_000]);
  });
});

describe('Rotation policy', () => {
  const key = (overrides: Partial<SigningKeyRecord>): SigningKeyRecord => ({
    kid: 'k',
    alg: 'ES256',
    use: 'access_token',
    status: 'active',
    publicJwk: '{}',
    privateJwkEncrypted: '',
    createdAt: 0,
    retiresAt: null,
    ...overrides,
  });
  const policy = { rotationSecs: ROTATION, prepublishSecs: PREPUBLISH, retireAfterSecs: RETIRE_AFTER };

  it('does nothing on schedule when rotation is off (0 days)', () => {
    const config = toKeyRotationConfig({
      OAUTH2_SIGNING_KEY_ROTATION_DAYS: 0,
      OAUTH2_SIGNING_KEY_PREPUBLISH_SECS: DAY,
    });
    expect(
      dueRotationSteps(
        [key({})],
        [{ use: 'access_token', alg: 'ES256' }],
        { ...config, retireAfterSecs: 1 },
        10 * ROTATION,
      ),
    ).toEqual([]);
  });

  it('keeps pre-publication between the JWKS cache bound and half the rotation period', () => {
    expect(
      toKeyRotationConfig({
        OAUTH2_SIGNING_KEY_ROTATION_DAYS: 1,
        OAUTH2_SIGNING_KEY_PREPUBLISH_SECS: 30 * DAY,
      }).prepublishSecs,
    ).toBe(DAY / 2);
    expect(MIN_PREPUBLISH_SECS).toBeGreaterThanOrEqual(300 + 60 + 60);
  });

  it('promotes the newest next key and retires every active key of that use and algorithm', () => {
    const keys = [
      key({ kid: 'a1', createdAt: 0 }),
      key({ kid: 'a2', createdAt: 5 }),
      key({ kid: 'n', status: 'next', createdAt: 100 }),
      key({ kid: 'i', use: 'id_token', createdAt: 100 }),
      key({ kid: 'r', use: 'id_token', alg: 'RS256', createdAt: 100 }),
    ];
    const now = 100 + PREPUBLISH;
    expect(dueRotationSteps(keys, KEY_SLOTS, policy, now)).toEqual([
      {
        kind: 'promote',
        use: 'access_token',
        alg: 'ES256',
        kid: 'n',
        replaces: ['a1', 'a2'],
        retiresAt: now + RETIRE_AFTER,
      },
    ]);
  });
});
