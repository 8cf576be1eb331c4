import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config';
import { createApp } from '../../worker/app';

const STRONG = {
  OAUTH2_SESSION_KEY: 'a-strong-session-key-0123456789abcdef-kkkkkkkk',
  OAUTH2_KEY_ENCRYPTION_KEY: 'a-strong-key-encryption-key-0123456789abcdef',
};

async function call(vars: Record<string, string | undefined>, path = '/health') {
  const res = await createApp().request(`http://localhost${path}`, {}, { ...env, ...vars });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('Configuration', () => {
  it('parses a complete configuration into typed values', () => {
    const result = parseConfig({
      ...STRONG,
      OAUTH2_ACCESS_TOKEN_TTL_SECS: '900',
      OAUTH2_AUTHORIZATION_CODE_TTL_SECS: '9999',
      OAUTH2_ACCESS_TOKENS_OPAQUE: 'true',
      OAUTH2_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.accessTokenTtlSecs).toBe(900);
    expect(result.config.authorizationCodeTtlSecs).toBe(600);
    expect(result.config.accessTokensOpaque).toBe(true);
    expect(result.config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it.each([
    ['OAUTH2_SESSION_KEY', { OAUTH2_SESSION_KEY: 'k3y-9q' }],
    ['OAUTH2_SESSION_KEY', { OAUTH2_SESSION_KEY: undefined }],
    ['OAUTH2_KEY_ENCRYPTION_KEY', { OAUTH2_KEY_ENCRYPTION_KEY: 'a'.repeat(64) }],
    ['OAUTH2_SEED_PASSWORD', { OAUTH2_SEED_PASSWORD: 'changeme' }],
    ['OAUTH2_ADMIN_CLIENT_SECRET', { OAUTH2_ADMIN_CLIENT_SECRET: 'secret' }],
    ['OAUTH2_JWT_SECRET', { OAUTH2_JWT_SECRET: 'too-short' }],
    ['OAUTH2_PUBLIC_URL', { OAUTH2_PUBLIC_URL: 'not a url' }],
    ['OAUTH2_DATABASE_URL', { OAUTH2_DATABASE_URL: 'mysql://db.example/oauth' }],
    ['OAUTH2_ACCESS_TOKENS_OPAQUE', { OAUTH2_ACCESS_TOKENS_OPAQUE: 'maybe' }],
    ['OAUTH2_ACCESS_TOKEN_TTL_SECS', { OAUTH2_ACCESS_TOKEN_TTL_SECS: '-5' }],
  ])('answers 503 server_misconfigured naming %s, never its value', async (name, vars) => {
    const { status, body } = await call(vars);
    expect(status).toBe(503);
    expect(body.error).toBe('server_misconfigured');
    expect(body.error_description).toContain(name);
    for (const value of Object.values(vars)) if (value) expect(body.error_description).not.toContain(value);
  });

  it('refuses an http issuer except on a loopback host (TLS everywhere else, RFC 9700 §2.6)', () => {
    const issuer = (url: string, extra: Record<string, string> = {}) =>
      parseConfig({ ...STRONG, OAUTH2_PUBLIC_URL: url, ...extra });
    const plain = issuer('http://auth.example.com');
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.problems.join('\n')).toContain('OAUTH2_PUBLIC_URL must be an https URL');
    expect(issuer('https://auth.example.com').ok).toBe(true);
    expect(issuer('http://127.0.0.1:8787').ok).toBe(true);
    expect(issuer('http://localhost:8787').ok).toBe(true);
    expect(issuer('http://[::1]:8787').ok).toBe(true);
    expect(issuer('http://auth.example.com', { OAUTH2_ALLOW_INSECURE_DEFAULTS: '1' }).ok).toBe(true);
  });

  it('keeps a secret byte for byte (a key never changes with surrounding spaces)', () => {
    const key = `  ${STRONG.OAUTH2_SESSION_KEY}\n`;
    const result = parseConfig({ ...STRONG, OAUTH2_SESSION_KEY: key });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.sessionKey).toBe(key);
  });

  it('a browser page says which setting is wrong too (never its value)', async () => {
    const res = await createApp().request(
      'http://localhost/auth/login',
      { headers: { accept: 'text/html' } },
      { ...env, OAUTH2_SEED_PASSWORD: 'changeme' },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('text/html');
    const page = await res.text();
    expect(page).toContain('OAUTH2_SEED_PASSWORD');
    expect(page).not.toContain('changeme');
  });

  it('misconfiguration blocks every endpoint, not only /health', async () => {
    const { status } = await call({ OAUTH2_SEED_PASSWORD: 'changeme' }, '/.well-known/openid-configuration');
    expect(status).toBe(503);
  });

  it('OAUTH2_ALLOW_INSECURE_DEFAULTS=1 lets weak secrets through, but not malformed values', async () => {
    expect(
      (await call({ OAUTH2_SEED_PASSWORD: 'changeme', OAUTH2_ALLOW_INSECURE_DEFAULTS: '1' })).status,
    ).toBe(200);
    const malformed = await call({ OAUTH2_PUBLIC_URL: 'nope', OAUTH2_ALLOW_INSECURE_DEFAULTS: '1' });
    expect(malformed.status).toBe(503);
  });
});
