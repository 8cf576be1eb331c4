/**
 * The outbound request policy (src/outbound): one URL policy for every request the server sends (client
 * jwks_uri, client ID metadata documents, back-channel logout, webhooks, upstream providers), applied
 * again when such a URL is registered or configured; and the one fetch (no redirects, a deadline, a size
 * cap, a circuit breaker per host). The network is a fetch stub passed to the module.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { OutboundError, outboundFetch, outboundUrlProblem, REGISTRATION_POLICY } from '../../src/outbound';
import { CircuitBreaker } from '../../src/resilience';
import { createApp } from '../../worker/app';
import { adminToken, expectOAuthError, postJson } from './helpers';

const STRICT = { allowLoopback: false };
const LOCAL = { allowLoopback: true };

describe('Outbound URL policy: what the server may fetch', () => {
  it.each([
    ['https://rp.example.com/bcl', null],
    ['https://keys.example.com:8443/jwks.json?v=1', null],
    ['https://8.8.8.8/jwks', null],
    ['https://[2606:4700::1111]/jwks', null],
    ['https://[::ffff:8.8.8.8]/jwks', null],
    ['http://example.com', 'must be https'],
    ['ftp://example.com/x', 'must be https'],
    ['javascript:alert(1)', 'must be https'],
    ['not a url', 'is not an absolute URL'],
    [`https://example.com/${'x'.repeat(2100)}`, 'is too long'],
    ['https://user:pass@example.com/x', 'must not contain credentials'],
    ['https://user@example.com/x', 'must not contain credentials'],
    ['http://169.254.169.254/', 'must be https'],
    ['https://169.254.169.254/latest/meta-data', 'must not name a private or reserved address'],
    ['https://metadata.google.internal/x', 'must not name a local or internal host'],
    ['https://metadata.google.internal./x', 'must not name a local or internal host'],
    ['https://metadata/computeMetadata/v1', 'must not name a single-label host'],
    ['https://x.local', 'must not name a local or internal host'],
    ['https://printer.home.arpa/', 'must not name a local or internal host'],
    ['https://foo.localhost', 'must not name a local or internal host'],
    ['https://localhost/x', 'must not name a loopback host'],
    ['http://localhost:8787/x', 'must not name a loopback host'],
    ['https://127.0.0.1/x', 'must not name a loopback host'],
    ['http://127.1.2.3/x', 'must not name a loopback host'],
    ['https://2130706433/x', 'must not name a loopback host'],
    ['https://0x7f.0.0.1/x', 'must not name a loopback host'],
    ['https://[::1]/x', 'must not name a loopback host'],
    ['https://[::ffff:127.0.0.1]/', 'must not name a loopback host'],
    ['https://10.0.0.1', 'must not name a private or reserved address'],
    ['https://172.16.0.1', 'must not name a private or reserved address'],
    ['https://172.31.255.255', 'must not name a private or reserved address'],
    ['https://192.168.1.1', 'must not name a private or reserved address'],
    ['https://100.64.0.1', 'must not name a private or reserved address'],
    ['https://198.18.0.1', 'must not name a private or reserved address'],
    ['https://198.19.255.1', 'must not name a private or reserved address'],
    ['https://0.0.0.0', 'must not name a private or reserved address'],
    ['https://224.0.0.1', 'must not name a private or reserved address'],
    ['https://240.0.0.1', 'must not name a private or reserved address'],
    ['https://255.255.255.255', 'must not name a private or reserved address'],
    ['https://192.0.2.1', 'must not name a private or reserved address'],
    ['https://203.0.113.7', 'must not name a private or reserved address'],
    ['https://[::]/x', 'must not name a private or reserved address'],
    ['https://[fc00::1]/x', 'must not name a private or reserved address'],
    ['https://[fd12:3456::1]/x', 'must not name a private or reserved address'],
    ['https://[fe80::1]/x', 'must not name a private or reserved address'],
    ['https://[ff02::1]/x', 'must not name a private or reserved address'],
    ['https://[::ffff:10.0.0.1]/x', 'must not name a private or reserved address'],
    ['https://[::ffff:169.254.169.254]/x', 'must not name a private or reserved address'],
    ['https://[64:ff9b::a9fe:a9fe]/x', 'must not name a private or reserved address'],
    ['https://[2002:a9fe:a9fe::1]/x', 'must not name a private or reserved address'],
    ['https://[2001:db8::1]/x', 'must not name a private or reserved address'],
  ])('%s: %s', (url, reason) => {
    expect(outboundUrlProblem(url, STRICT)).toBe(reason);
  });

  it('reaches loopback, over http too, only where OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP allows it', () => {
    for (const url of ['http://127.0.0.1:8080/bcl', 'http://[::1]:9/x', 'http://localhost:3000/x']) {
      expect(outboundUrlProblem(url, STRICT), url).not.toBeNull();
      expect(outboundUrlProblem(url, LOCAL), url).toBeNull();
    }
    for (const url of [
      'http://10.0.0.1/x',
      'http://example.com/x',
      'https://foo.localhost/x',
      'https://metadata.google.internal/x',
      'http://169.254.169.254/',
    ]) {
      expect(outboundUrlProblem(url, LOCAL), url).not.toBeNull();
    }
    expect(REGISTRATION_POLICY).toEqual(LOCAL);
  });

  it('is read from OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP, off by default', () => {
    const config = (vars: Record<string, string>) => {
      const result = parseConfig({ ...env, ...vars });
      if (!result.ok) throw new Error(result.problems.join());
      return result.config.outbound;
    };
    expect(config({})).toEqual(STRICT);
    expect(config({ OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true' })).toEqual(LOCAL);
  });
});

describe('Outbound URL policy at registration (RFC 7591 §3.2.2 invalid_client_metadata)', () => {
  const register = async (metadata: Record<string, unknown>) =>
    postJson(
      '/connect/register',
      { client_name: 'outbound policy', redirect_uris: ['https://rp.example.com/cb'], ...metadata },
      { Authorization: `Bearer ${await adminToken()}` },
    );

  it.each([
    ['backchannel_logout_uri', 'https://metadata.google.internal/x'],
    ['backchannel_logout_uri', 'https://169.254.169.254/logout'],
    ['backchannel_logout_uri', 'http://rp.example.com/logout'],
    ['backchannel_logout_uri', 'https://[::ffff:10.0.0.1]/'],
    ['jwks_uri', 'https://10.0.0.1/jwks.json'],
    ['jwks_uri', 'https://192.168.1.20/jwks.json'],
    ['jwks_uri', 'https://x.local/jwks.json'],
    ['jwks_uri', 'https://user:secret@keys.example.com/jwks.json'],
  ])('refuses %s %s naming the field', async (field, uri) => {
    const metadata: Record<string, unknown> = { [field]: uri };
    if (field === 'jwks_uri') {
      Object.assign(metadata, {
        grant_types: ['client_credentials'],
        redirect_uris: [],
        token_endpoint_auth_method: 'private_key_jwt',
      });
    }
    const body = await expectOAuthError(await register(metadata), 400, 'invalid_client_metadata');
    expect(body.error_description).toContain(field);
  });

  it('accepts public https URLs', async () => {
    const res = await register({ backchannel_logout_uri: 'https://rp.example.com/logout' });
    expect(res.status, await res.text()).toBe(201);
  });

  it('judges loopback by the running server: refused unless OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP is on', async () => {
    const document = JSON.stringify({
      client_name: 'loopback receiver',
      redirect_uris: ['https://rp.example.com/cb'],
      backchannel_logout_uri: 'http://127.0.0.1:8080/logout',
    });
    const registerWith = async (vars: Record<string, string>) =>
      createApp().request(
        'http://localhost/connect/register',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await adminToken()}` },
          body: document,
        },
        { ...env, ...vars },
      );
    const refused = await expectOAuthError(await registerWith({}), 400, 'invalid_client_metadata');
    expect(refused.error_description).toContain('backchannel_logout_uri');
    const allowed = await registerWith({ OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true' });
    expect(allowed.status, await allowed.text()).toBe(201);
  });
});

describe('Outbound URL policy in configuration', () => {
  const problems = (vars: Record<string, string>) => {
    const result = parseConfig({ ...env, ...vars });
    return result.ok ? [] : result.problems;
  };

  it('refuses webhook URLs and upstream issuers the server could not fetch, naming the setting', () => {
    const secret = 'a-webhook-secret-0123456789abcdef-0123';
    expect(
      problems({
        OAUTH2_EVENTS_WEBHOOK_URLS: 'https://169.254.169.254/x',
        OAUTH2_EVENTS_WEBHOOK_SECRET: secret,
      }),
    ).toEqual(['OAUTH2_EVENTS_WEBHOOK_URLS must not name a private or reserved address']);
    const okta = { OAUTH2_OKTA_CLIENT_ID: 'o', OAUTH2_OKTA_CLIENT_SECRET: 's' };
    expect(problems({ ...okta, OAUTH2_OKTA_ISSUER: 'https://metadata.google.internal/x' })).toEqual([
      'OAUTH2_OKTA_ISSUER must not name a local or internal host',
    ]);
    expect(problems({ ...okta, OAUTH2_OKTA_DOMAIN: 'metadata.google.internal' })).toEqual([
      'OAUTH2_OKTA_DOMAIN must not name a local or internal host',
    ]);
    const provider = { id: 'corp', issuer: 'https://10.0.0.1/', client_id: 'c', client_secret: 's' };
    expect(problems({ OAUTH2_OIDC_PROVIDERS: JSON.stringify([provider]) })[0]).toMatch(
      /^OAUTH2_OIDC_PROVIDERS .*private or reserved address/,
    );
  });
});

describe('Outbound fetch: no redirects, a deadline, a size cap, a breaker per host', () => {
  const seen: { url: string; init: RequestInit | undefined }[] = [];
  const stub =
    (answer: () => Response | Promise<Response>): typeof fetch =>
    async (input, init) => {
      seen.push({ url: String(input), init });
      return answer();
    };
  const options = { target: 'test', policy: STRICT, timeoutMs: 1000, maxBytes: 64 };
  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => (error instanceof OutboundError ? error.failure : error),
    );

  it('never sends a request the policy refuses', async () => {
    seen.length = 0;
    const fetch = stub(() => new Response('{}'));
    for (const url of [
      'https://metadata.google.internal/x',
      'http://169.254.169.254/',
      'https://10.0.0.1/',
    ]) {
      expect(await failureOf(outboundFetch(url, {}, { ...options, fetch }))).toBe('refused');
    }
    expect(seen).toEqual([]);
  });

  it('does not follow a redirect: a 3xx is a failure', async () => {
    seen.length = 0;
    const fetch = stub(
      () => new Response(null, { status: 302, headers: { Location: 'http://169.254.169.254/latest' } }),
    );
    for (const status of [301, 302, 303, 307, 308]) {
      const redirect = stub(() => new Response(null, { status, headers: { Location: 'https://10.0.0.1/' } }));
      expect(
        await failureOf(outboundFetch('https://rp.example.com/a', {}, { ...options, fetch: redirect })),
      ).toBe('redirect');
    }
    const error = await outboundFetch('https://rp.example.com/a', {}, { ...options, fetch }).catch((e) => e);
    expect(error).toBeInstanceOf(OutboundError);
    expect((error as Error).message).toBe('rp.example.com answered 302: redirects are not followed');
    expect(seen.every(({ init }) => init?.redirect === 'manual')).toBe(true);
    expect(seen.map(({ url }) => url)).not.toContain('http://169.254.169.254/latest');
  });

  it('gives up at the deadline and refuses a body over the cap', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    expect(
      await failureOf(
        outboundFetch('https://rp.example.com/', {}, { ...options, timeoutMs: 20, fetch: hanging }),
      ),
    ).toBe('timeout');
    const big = stub(() => new Response('x'.repeat(65)));
    expect(await failureOf(outboundFetch('https://rp.example.com/', {}, { ...options, fetch: big }))).toBe(
      'too_large',
    );
    const fits = stub(() => new Response('x'.repeat(64)));
    expect(
      (await outboundFetch('https://rp.example.com/', {}, { ...options, fetch: fits })).body.length,
    ).toBe(64);
  });

  it('opens the breaker of a failing host without touching the others', async () => {
    const breakers = new Map<string, CircuitBreaker>();
    const breaker = (host: string) => {
      const found =
        breakers.get(host) ??
        new CircuitBreaker(host, {
          failureThreshold: 2,
          successThreshold: 1,
          openMs: 60_000,
          halfOpenMaxProbes: 1,
          now: Date.now,
        });
      breakers.set(host, found);
      return found;
    };
    seen.length = 0;
    const fetch = stub(() => new Response('down', { status: 503 }));
    for (let i = 0; i < 2; i++) {
      expect(
        (await outboundFetch('https://down.example.com/', {}, { ...options, breaker, fetch })).status,
      ).toBe(503);
    }
    expect(
      await failureOf(outboundFetch('https://down.example.com/', {}, { ...options, breaker, fetch })),
    ).toBe('circuit_open');
    expect((await outboundFetch('https://up.example.com/', {}, { ...options, breaker, fetch })).status).toBe(
      503,
    );
    expect(seen.map(({ url }) => new URL(url).host)).toEqual([
      'down.example.com',
      'down.example.com',
      'up.example.com',
    ]);
  });
});
