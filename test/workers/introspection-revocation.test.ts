import { base64url, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  basic,
  expectOAuthError,
  ORIGIN,
  post,
  postWith,
} from './helpers';

const auth = { Authorization: basic(ADMIN_ID, ADMIN_SECRET) };

async function introspect(token: string, headers: Record<string, string> = auth) {
  const res = await post('/oauth/introspect', { token }, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as Record<string, unknown>;
}

describe('Token Introspection (RFC 7662)', () => {
  it('describes an active JWT access token', async () => {
    const token = await adminToken('read');
    const body = await introspect(token);
    expect(body).toMatchObject({
      active: true,
      client_id: ADMIN_ID,
      sub: ADMIN_ID,
      aud: ADMIN_ID,
      scope: 'read',
      token_type: 'Bearer',
      iss: ORIGIN,
    });
    expect(typeof body.exp).toBe('number');
    expect(typeof body.jti).toBe('string');
  });

  it('requires client authentication', async () => {
    const token = await adminToken('read');
    await expectOAuthError(await post('/oauth/introspect', { token }), 401, 'invalid_client');
  });

  it('answers invalid_request without a token parameter', async () => {
    await expectOAuthError(await post('/oauth/introspect', {}, auth), 400, 'invalid_request');
  });

  it('answers active:false for garbage, unknown and truncated tokens', async () => {
    const token = await adminToken('read');
    for (const candidate of ['garbage', 'a.b.c', token.slice(0, -3), `oat_${'A'.repeat(65)}`, `${token}x`]) {
      expect(await introspect(candidate)).toEqual({ active: false });
    }
  });

  it('answers active:false for an alg:none token with valid claims', async () => {
    const token = await adminToken('read');
    const [, payload] = token.split('.');
    const header = base64url.encode(
      JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: decodeProtectedHeader(token).kid }),
    );
    expect(await introspect(`${header}.${payload}.`)).toEqual({ active: false });
  });

  it('answers active:false for a token signed by a foreign key with our kid', async () => {
    const token = await adminToken('read');
    const { kid } = decodeProtectedHeader(token);
    const { privateKey } = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const forged = await new SignJWT({ client_id: ADMIN_ID, scope: 'admin' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: kid as string })
      .setIssuer(ORIGIN)
      .setSubject(ADMIN_ID)
      .setAudience(ADMIN_ID)
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti('AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAA')
      .sign(privateKey);
    expect(await introspect(forged)).toEqual({ active: false });
  });

  it('answers active:false for an expired token', async () => {
    const post60 = postWith({ OAUTH2_ACCESS_TOKEN_TTL_SECS: '60' });
    const res = await post60('/oauth/token', { grant_type: 'client_credentials' }, auth);
    const { access_token } = (await res.json()) as { access_token: string };
    const active = await post60('/oauth/introspect', { token: access_token }, auth);
    expect(((await active.json()) as { active: boolean }).active).toBe(true);
    // Signature and claims stay intact; only the clock moves past exp.
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      const later = await post60('/oauth/introspect', { token: access_token }, auth);
      expect(await later.json()).toEqual({ active: false });
    } finally {
      Date.now = realNow;
    }
  });

  it('a token already verified in this isolate is still checked for revocation, expiry and issuer', async () => {
    const token = await adminToken('read');
    // Twice: the second answer comes from the isolate's record of the verified token.
    expect((await introspect(token)).active).toBe(true);
    expect((await introspect(token)).active).toBe(true);
    // Another issuer (same keys, same token text) does not accept it.
    const elsewhere = postWith({ OAUTH2_PUBLIC_URL: 'https://other.example' });
    const foreign = await elsewhere('/oauth/introspect', { token }, auth);
    expect(await foreign.json()).toEqual({ active: false });
    // Revoked after it was verified: inactive at once.
    expect((await post('/oauth/revoke', { token }, auth)).status).toBe(200);
    expect(await introspect(token)).toEqual({ active: false });
  });

  it('allows unauthenticated introspection only with OAUTH2_PUBLIC_INTROSPECTION=true', async () => {
    const token = await adminToken('read');
    const open = postWith({ OAUTH2_PUBLIC_INTROSPECTION: 'true' });
    const res = await open('/oauth/introspect', { token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { active: boolean }).active).toBe(true);
  });
});

describe('Token Revocation (RFC 7009)', () => {
  it('revokes a JWT access token: it introspects inactive at once', async () => {
    const token = await adminToken('read');
    const res = await post('/oauth/revoke', { token, token_type_hint: 'access_token' }, auth);
    expect(res.status).toBe(200);
    expect(await introspect(token)).toEqual({ active: false });
  });

  it('answers 200 for an unknown token', async () => {
    expect((await post('/oauth/revoke', { token: 'no-such-token' }, auth)).status).toBe(200);
  });

  it('ignores an unknown token_type_hint', async () => {
    const token = await adminToken('read');
    expect((await post('/oauth/revoke', { token, token_type_hint: 'something_else' }, auth)).status).toBe(
      200,
    );
    expect(await introspect(token)).toEqual({ active: false });
  });

  it('requires client authentication', async () => {
    const token = await adminToken('read');
    await expectOAuthError(await post('/oauth/revoke', { token }), 401, 'invalid_client');
    expect((await introspect(token)).active).toBe(true);
  });

  it('answers invalid_request without a token parameter', async () => {
    await expectOAuthError(await post('/oauth/revoke', {}, auth), 400, 'invalid_request');
  });
});

describe('Opaque access tokens (OAUTH2_ACCESS_TOKENS_OPAQUE=true)', () => {
  const call = postWith({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });

  async function opaqueToken(): Promise<string> {
    const res = await call('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, auth);
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('issues a reference token that is not a JWT', async () => {
    const token = await opaqueToken();
    expect(token).toMatch(/^oat_[A-Za-z0-9_-]{65}$/);
    expect(token.split('.').length).toBe(1);
  });

  it('introspects, revokes and then reports it inactive', async () => {
    const token = await opaqueToken();
    const active = (await (await call('/oauth/introspect', { token }, auth)).json()) as Record<
      string,
      unknown
    >;
    expect(active).toMatchObject({ active: true, client_id: ADMIN_ID, scope: 'read' });
    expect((await call('/oauth/revoke', { token }, auth)).status).toBe(200);
    expect(await (await call('/oauth/introspect', { token }, auth)).json()).toEqual({ active: false });
  });

  it('answers active:false for a well-formed but unknown opaque token', async () => {
    const token = await opaqueToken();
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(await (await call('/oauth/introspect', { token: tampered }, auth)).json()).toEqual({
      active: false,
    });
  });
});
