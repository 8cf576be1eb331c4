/** RFC 7523 §2.1 JWT bearer authorization grant: assertions from trusted issuers traded at /oauth/token. */
import { decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdminApi, json, unique } from './admin-helpers';
import { basic, expectOAuthError, get, ORIGIN, post } from './helpers';
import { CapturingQueue, envWith, form, workerFor } from './telemetry-helpers';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_URL = `${ORIGIN}/oauth/token`;
const now = () => Math.floor(Date.now() / 1000);

interface Issuer {
  id: string;
  issuer: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

interface Client {
  client_id: string;
  client_secret: string;
}

let admin: AdminApi;
let issuer: Issuer;
let client: Client;

async function keyPair(alg = 'ES256') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: crypto.randomUUID(), alg, use: 'sig' };
  return { privateKey, jwk };
}

async function trustIssuer(extra: Record<string, unknown> = {}, alg = 'ES256'): Promise<Issuer> {
  const { privateKey, jwk } = await keyPair(alg);
  const name = `https://idp.example.com/${unique('iss')}`;
  const body = await admin.post<{ id: string }>('/admin/api/trusted-issuers', {
    issuer: name,
    jwks: { keys: [jwk] },
    allowed_subjects: ['alice', 'bob'],
    allowed_scopes: ['read', 'write'],
    ...extra,
  });
  return { id: body.id, issuer: name, privateKey, jwk };
}

async function createClient(extra: Record<string, unknown> = {}): Promise<Client> {
  return admin.post<Client>('/admin/api/clients', {
    client_name: 'jwt bearer client',
    grant_types: [GRANT],
    scope: 'read write',
    token_endpoint_auth_method: 'client_secret_basic',
    ...extra,
  });
}

interface Claims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number | null;
  iat?: number;
  nbf?: number;
  jti?: string | null;
}

function assertion(
  by: Issuer,
  claims: Claims = {},
  alg = 'ES256',
  key: CryptoKey | Uint8Array = by.privateKey,
) {
  const payload: Record<string, unknown> = {
    iss: claims.iss ?? by.issuer,
    sub: claims.sub ?? 'alice',
    aud: claims.aud ?? TOKEN_URL,
    iat: claims.iat ?? now(),
  };
  if (claims.nbf !== undefined) payload.nbf = claims.nbf;
  if (claims.exp !== null) payload.exp = claims.exp ?? now() + 60;
  if (claims.jti !== null) payload.jti = claims.jti ?? crypto.randomUUID();
  return new SignJWT(payload).setProtectedHeader({ alg, kid: by.jwk.kid as string }).sign(key);
}

function grant(jwt: string, extra: Record<string, string> = {}, as: Client = client) {
  return post(
    '/oauth/token',
    { grant_type: GRANT, assertion: jwt, ...extra },
    { Authorization: basic(as.client_id, as.client_secret) },
  );
}

async function refused(res: Response, pattern: RegExp, error = 'invalid_grant') {
  const body = await expectOAuthError(res, 400, error);
  expect(body.error_description).toMatch(pattern);
}

/** An unsigned JWT (`alg: none`, RFC 7519 §6). */
function unsecured(claims: Record<string, unknown>): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

beforeAll(async () => {
  admin = await AdminApi.create();
  issuer = await trustIssuer();
  client = await createClient();
});

describe('JWT bearer grant (RFC 7523 §2.1): issuing', () => {
  it('trades an ES256 assertion of an inline-JWKS issuer for an access token for its subject', async () => {
    const res = await grant(await assertion(issuer));
    const body = await json<Record<string, unknown>>(res, 200);
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read write' });
    expect(body.refresh_token).toBeUndefined();
    expect(body.id_token).toBeUndefined();
    const claims = decodeJwt(body.access_token as string);
    expect(claims).toMatchObject({
      sub: 'alice',
      client_id: client.client_id,
      iss: ORIGIN,
      scope: 'read write',
    });
  });

  it('accepts the issuer identifier and the configured audience as aud (RFC 7523 §3 item 3)', async () => {
    await json(await grant(await assertion(issuer, { aud: ORIGIN })), 200);
    const custom = await trustIssuer({ audience: 'https://as.example.com/custom' });
    await json(
      await grant(
        await assertion(custom, { aud: ['https://other.example', 'https://as.example.com/custom'] }),
      ),
      200,
    );
  });

  it.each(['RS256', 'PS256', 'EdDSA'])('verifies %s assertions', async (alg) => {
    const other = await trustIssuer({}, alg);
    await json(await grant(await assertion(other, {}, alg)), 200);
  });

  it('narrows the scope to requested ∩ issuer ∩ client, and says so', async () => {
    const narrow = await trustIssuer({ allowed_scopes: ['read'] });
    const body = await json<{ scope: string; access_token: string }>(
      await grant(await assertion(narrow), { scope: 'read write' }),
      200,
    );
    expect(body.scope).toBe('read');
    expect(decodeJwt(body.access_token).scope).toBe('read');
    await refused(await grant(await assertion(narrow), { scope: 'write' }), /scopes/, 'invalid_scope');
  });

  it('admits any subject with "*"', async () => {
    const any = await trustIssuer({ allowed_subjects: ['*'] });
    const body = await json<{ access_token: string }>(
      await grant(await assertion(any, { sub: 'svc:batch-7' })),
      200,
    );
    expect(decodeJwt(body.access_token).sub).toBe('svc:batch-7');
  });

  it('publishes token_created with the grant type', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const res = await call(
      '/oauth/token',
      form(
        { grant_type: GRANT, assertion: await assertion(issuer) },
        { Authorization: basic(client.client_id, client.client_secret) },
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const [event] = queue.of('token_created');
    expect(event).toMatchObject({
      client_id: client.client_id,
      metadata: { grant_type: GRANT },
    });
  });

  it('is advertised in discovery', async () => {
    const metadata = (await (await get('/.well-known/oauth-authorization-server')).json()) as {
      grant_types_supported: string[];
    };
    expect(metadata.grant_types_supported).toContain(GRANT);
  });
});

describe('JWT bearer grant (RFC 7523 §3): refused assertions are invalid_grant', () => {
  it('refuses an unknown iss, and a wrong signer', async () => {
    await refused(
      await grant(await assertion(issuer, { iss: 'https://unknown.example.com' })),
      /not trusted/,
    );
    const stranger = await keyPair();
    await refused(await grant(await assertion(issuer, {}, 'ES256', stranger.privateKey)), /signature/);
  });

  it('refuses a wrong aud', async () => {
    await refused(
      await grant(await assertion(issuer, { aud: 'https://elsewhere.example.com/token' })),
      /aud/,
    );
  });

  it('refuses an expired assertion, a missing exp, a long-lived one and one not yet valid', async () => {
    await refused(await grant(await assertion(issuer, { exp: now() - 120, iat: now() - 180 })), /expired/);
    await refused(await grant(await assertion(issuer, { exp: null })), /exp/);
    await refused(await grant(await assertion(issuer, { exp: now() + 3600 })), /at most 300 seconds/);
    await refused(await grant(await assertion(issuer, { nbf: now() + 600, exp: now() + 200 })), /nbf/);
    await refused(
      await grant(await assertion(issuer, { iat: now() + 600, exp: now() + 700 })),
      /iat|300 seconds/,
    );
  });

  it('requires a jti and refuses a replayed one (RFC 7523 §3 item 7)', async () => {
    await refused(await grant(await assertion(issuer, { jti: null })), /jti/);
    const jwt = await assertion(issuer);
    await json(await grant(jwt), 200);
    await refused(await grant(jwt), /already used/);
  });

  it('refuses a subject the issuer may not assert', async () => {
    await refused(await grant(await assertion(issuer, { sub: 'mallory' })), /subject is not allowed/);
  });

  it('refuses the assertions of a disabled issuer, and of a deleted one', async () => {
    const paused = await trustIssuer({ enabled: false });
    await refused(await grant(await assertion(paused)), /not trusted/);
    const gone = await trustIssuer();
    await json(await grant(await assertion(gone)), 200);
    expect((await admin.call('DELETE', `/admin/api/trusted-issuers/${gone.id}`)).status).toBe(204);
    await refused(await grant(await assertion(gone)), /not trusted/);
  });

  it('refuses alg none and HS256 (no shared secret with an issuer)', async () => {
    const claims = {
      iss: issuer.issuer,
      sub: 'alice',
      aud: TOKEN_URL,
      exp: now() + 60,
      jti: crypto.randomUUID(),
    };
    await refused(await grant(unsecured(claims)), /signed with one of/);
    const hs = await assertion(issuer, {}, 'HS256', new TextEncoder().encode('x'.repeat(32)));
    await refused(await grant(hs), /signed with one of/);
  });

  it('refuses a missing or malformed assertion', async () => {
    await expectOAuthError(
      await post(
        '/oauth/token',
        { grant_type: GRANT },
        { Authorization: basic(client.client_id, client.client_secret) },
      ),
      400,
      'invalid_request',
    );
    await refused(await grant('not-a-jwt'), /not a signed JWT/);
  });
});

describe('JWT bearer grant (RFC 7521 §4.1): the client', () => {
  it('refuses a client that did not register the grant type (unauthorized_client)', async () => {
    const other = await createClient({ grant_types: ['client_credentials'] });
    await expectOAuthError(await grant(await assertion(issuer), {}, other), 400, 'unauthorized_client');
  });

  it('refuses an unauthenticated request, and the registration of a public client for the grant', async () => {
    const res = await post('/oauth/token', {
      grant_type: GRANT,
      assertion: await assertion(issuer),
      client_id: client.client_id,
    });
    expect(res.status).toBe(401);
    const reg = await admin.call('POST', '/admin/api/clients', {
      client_name: 'public jwt bearer',
      grant_types: [GRANT],
      token_endpoint_auth_method: 'none',
    });
    expect(reg.status).toBe(400);
  });

  it("never grants admin or the OpenID user scopes, whatever the client's registration", async () => {
    const bad = await admin.call('POST', '/admin/api/trusted-issuers', {
      issuer: `https://idp.example.com/${unique('iss')}`,
      jwks: { keys: [issuer.jwk] },
      allowed_subjects: ['*'],
      allowed_scopes: ['admin'],
    });
    await expectOAuthError(bad, 400, 'invalid_request');
    const wide = await createClient({ scope: 'read openid' });
    const body = await json<{ scope: string }>(await grant(await assertion(issuer), {}, wide), 200);
    expect(body.scope).toBe('read');
  });
});
