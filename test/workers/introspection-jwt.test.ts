/**
 * RFC 9701 JWT responses from token introspection, through the real Worker: the JWT verified with jose
 * against /.well-known/jwks.json, the registered alg, the JSON default, public introspection, discovery.
 */
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  jwtVerify,
  SignJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_ID,
  ADMIN_SECRET,
  adminToken,
  basic,
  expectOAuthError,
  get,
  ORIGIN,
  post,
  postJson,
  postWith,
} from './helpers';

const JWT_MEDIA_TYPE = 'application/token-introspection+jwt';
const ADMIN_AUTH = { Authorization: basic(ADMIN_ID, ADMIN_SECRET) };

interface Registered {
  client_id: string;
  client_secret: string;
  [field: string]: unknown;
}

let registrationToken: string;
let jwks: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  registrationToken = await adminToken();
  const res = await get('/.well-known/jwks.json');
  jwks = createLocalJWKSet((await res.json()) as JSONWebKeySet);
});

function register(metadata: Record<string, unknown>) {
  return postJson(
    '/connect/register',
    { grant_types: ['client_credentials'], scope: 'read', ...metadata },
    { Authorization: `Bearer ${registrationToken}` },
  );
}

async function registered(metadata: Record<string, unknown> = {}): Promise<Registered> {
  const res = await register(metadata);
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as Registered;
}

const authOf = (client: Registered) => ({ Authorization: basic(client.client_id, client.client_secret) });

async function tokenOf(client: Registered, headers: Record<string, string> = {}): Promise<string> {
  const res = await post(
    '/oauth/token',
    { grant_type: 'client_credentials', scope: 'read' },
    { ...authOf(client), ...headers },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function jsonIntrospection(token: string, headers: Record<string, string> = ADMIN_AUTH) {
  const res = await post('/oauth/introspect', { token }, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

/** The body as text (workerd warns about .text() on a media type it does not know as text). */
async function bodyText(res: Response): Promise<string> {
  return new TextDecoder().decode(await res.arrayBuffer());
}

/** The JWT answer, verified (signature against the JWKS, typ, iss, aud = the caller) and decoded. */
async function jwtIntrospection(
  token: string,
  clientId = ADMIN_ID,
  headers: Record<string, string> = ADMIN_AUTH,
  accept: string | null = JWT_MEDIA_TYPE,
) {
  const res = await post(
    '/oauth/introspect',
    { token },
    accept === null ? headers : { ...headers, Accept: accept },
  );
  const text = await bodyText(res);
  expect(res.status, text).toBe(200);
  expect(res.headers.get('content-type')).toBe(JWT_MEDIA_TYPE);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const { payload, protectedHeader } = await jwtVerify(text, jwks, {
    issuer: ORIGIN,
    audience: clientId,
    typ: 'token-introspection+jwt',
    algorithms: ['RS256', 'ES256'],
  });
  return { payload, header: protectedHeader };
}

describe('JWT responses from token introspection (RFC 9701)', () => {
  it('answers Accept: application/token-introspection+jwt with a signed JWT (RS256 by default)', async () => {
    const token = await adminToken('read');
    const expected = await jsonIntrospection(token);
    const { payload, header } = await jwtIntrospection(token);
    expect(header.alg).toBe('RS256');
    expect(typeof header.kid).toBe('string');
    expect(payload.iss).toBe(ORIGIN);
    expect(payload.aud).toBe(ADMIN_ID);
    expect(typeof payload.iat).toBe('number');
    // §5: no top-level sub or exp, so the response cannot pass for an access token.
    expect(payload.sub).toBeUndefined();
    expect(payload.exp).toBeUndefined();
    expect(payload.token_introspection).toEqual(expected);
    expect(payload.token_introspection).toMatchObject({ active: true, client_id: ADMIN_ID, scope: 'read' });
  });

  it('wraps {active: false} for an inactive token, with nothing else', async () => {
    for (const token of ['garbage', 'ort_unknown', `oat_${'A'.repeat(65)}`]) {
      const { payload } = await jwtIntrospection(token);
      expect(payload.token_introspection).toEqual({ active: false });
    }
    // Revoked.
    const token = await adminToken('read');
    expect((await post('/oauth/revoke', { token }, ADMIN_AUTH)).status).toBe(200);
    expect((await jwtIntrospection(token)).payload.token_introspection).toEqual({ active: false });
  });

  it('keeps the JSON answer by default, for JSON and wildcard Accepts, and when JSON is preferred', async () => {
    const token = await adminToken('read');
    for (const accept of [
      undefined,
      'application/json',
      '*/*',
      'application/*',
      `application/json, ${JWT_MEDIA_TYPE};q=0.5`,
      `${JWT_MEDIA_TYPE};q=0`,
    ]) {
      const headers = accept === undefined ? ADMIN_AUTH : { ...ADMIN_AUTH, Accept: accept };
      expect((await jsonIntrospection(token, headers)).active, String(accept)).toBe(true);
    }
  });

  it('answers a JWT when it is preferred among several types', async () => {
    const token = await adminToken('read');
    for (const accept of [
      `application/json;q=0.9, ${JWT_MEDIA_TYPE}`,
      `${JWT_MEDIA_TYPE}, application/json`,
      `APPLICATION/TOKEN-INTROSPECTION+JWT; q=1`,
    ]) {
      const { payload } = await jwtIntrospection(token, ADMIN_ID, ADMIN_AUTH, accept);
      expect(payload.token_introspection).toMatchObject({ active: true });
    }
  });

  it('keeps errors as JSON RFC errors', async () => {
    const res = await post('/oauth/introspect', {}, { ...ADMIN_AUTH, Accept: JWT_MEDIA_TYPE });
    await expectOAuthError(res, 400, 'invalid_request');
    const anonymous = await post('/oauth/introspect', { token: 'x' }, { Accept: JWT_MEDIA_TYPE });
    await expectOAuthError(anonymous, 401, 'invalid_client');
  });

  it('preserves the DPoP binding (cnf.jkt, token_type DPoP) in token_introspection', async () => {
    const client = await registered();
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const dpop = await new SignJWT({ htm: 'POST', htu: `${ORIGIN}/oauth/token`, jti: crypto.randomUUID() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk })
      .setIssuedAt()
      .sign(privateKey);
    const token = await tokenOf(client, { DPoP: dpop });
    const expected = await jsonIntrospection(token, authOf(client));
    expect(expected.cnf).toEqual({ jkt: await calculateJwkThumbprint(jwk) });
    const { payload } = await jwtIntrospection(token, client.client_id, authOf(client));
    expect(payload.token_introspection).toEqual(expected);
    expect(payload.token_introspection).toMatchObject({ token_type: 'DPoP', cnf: expected.cnf });
  });

  it("wraps {active: false} for another client's token", async () => {
    // A token of another client is inactive for this caller, signed or not (RFC 7662 §2.2).
    const client = await registered();
    const other = await adminToken('read');
    const { payload } = await jwtIntrospection(other, client.client_id, authOf(client));
    expect(payload.token_introspection).toEqual({ active: false });
  });
});

describe('introspection_signed_response_alg (RFC 9701 §6)', () => {
  it('registers ES256: its responses are ES256 JWTs, asked for or not', async () => {
    const client = await registered({ introspection_signed_response_alg: 'ES256' });
    expect(client.introspection_signed_response_alg).toBe('ES256');
    const token = await tokenOf(client);
    const asked = await jwtIntrospection(token, client.client_id, authOf(client));
    expect(asked.header.alg).toBe('ES256');
    expect(asked.payload.token_introspection).toMatchObject({ active: true, client_id: client.client_id });
    // §6: a client that registered the alg always gets signed responses.
    const unasked = await jwtIntrospection(token, client.client_id, authOf(client), null);
    expect(unasked.header.alg).toBe('ES256');
    const json = await jwtIntrospection(token, client.client_id, authOf(client), 'application/json');
    expect(json.header.alg).toBe('ES256');
  });

  it('registers RS256', async () => {
    const client = await registered({ introspection_signed_response_alg: 'RS256' });
    const { header } = await jwtIntrospection(await tokenOf(client), client.client_id, authOf(client), null);
    expect(header.alg).toBe('RS256');
  });

  it.each(['HS256', 'none', 'PS256', 'EdDSA', 42])('refuses %s', async (alg) => {
    const body = await expectOAuthError(
      await register({ introspection_signed_response_alg: alg }),
      400,
      'invalid_client_metadata',
    );
    expect(body.error_description).toMatch(/^introspection_signed_response_alg/);
  });

  it('signs with keys published in the JWKS', async () => {
    const token = await adminToken('read');
    const { kid } = decodeProtectedHeader(
      await bodyText(await post('/oauth/introspect', { token }, { ...ADMIN_AUTH, Accept: JWT_MEDIA_TYPE })),
    );
    const keys = ((await (await get('/.well-known/jwks.json')).json()) as JSONWebKeySet).keys;
    expect(keys.some((key) => key.kid === kid && key.alg === 'RS256')).toBe(true);
  });
});

describe('public introspection (OAUTH2_PUBLIC_INTROSPECTION=true)', () => {
  const open = postWith({ OAUTH2_PUBLIC_INTROSPECTION: 'true' });

  it('refuses an unauthenticated JWT request (no audience), answers JSON without the Accept', async () => {
    const token = await adminToken('read');
    const refused = await open('/oauth/introspect', { token }, { Accept: JWT_MEDIA_TYPE });
    await expectOAuthError(refused, 401, 'invalid_client');
    const plain = await open('/oauth/introspect', { token });
    expect(plain.status).toBe(200);
    expect(((await plain.json()) as { active: boolean }).active).toBe(true);
  });

  it('signs for an authenticated caller', async () => {
    const token = await adminToken('read');
    const res = await open('/oauth/introspect', { token }, { ...ADMIN_AUTH, Accept: JWT_MEDIA_TYPE });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(JWT_MEDIA_TYPE);
    const { payload } = await jwtVerify(await bodyText(res), jwks, {
      issuer: ORIGIN,
      audience: ADMIN_ID,
      typ: 'token-introspection+jwt',
    });
    expect(payload.token_introspection).toMatchObject({ active: true });
  });
});

describe('discovery (RFC 8414 / RFC 9701 §7)', () => {
  it('publishes introspection_signing_alg_values_supported', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await get(path)).json()) as Record<string, unknown>;
      expect(metadata.introspection_signing_alg_values_supported, path).toEqual(['RS256', 'ES256']);
      expect(metadata.introspection_encryption_alg_values_supported, path).toBeUndefined();
    }
  });
});
