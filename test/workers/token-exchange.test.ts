import { env } from 'cloudflare:test';
import { decodeJwt, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { importKeySet } from '../../src/crypto/signing-keys';
import { newGrantId } from '../../src/oauth/sharded-id';
import {
  AdminApi,
  clientCredentials,
  codeFlow,
  createServiceClient,
  createTestUser,
  createWebClient,
  json,
  type TestClient,
  type TestUser,
  unique,
} from './admin-helpers';
import { basic, expectOAuthError, get, ORIGIN, post, postWith } from './helpers';
import { CapturingQueue, envWith, form, workerFor } from './telemetry-helpers';

const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const REFRESH = 'urn:ietf:params:oauth:token-type:refresh_token';

let admin: AdminApi;
/** A service client allowed client_credentials and token exchange. */
let service: TestClient;
/** A web client (code flow, refresh) that may also exchange tokens and get its own client token. */
let web: TestClient;
let user: TestUser;

function auth(client: TestClient): Record<string, string> {
  return { Authorization: basic(client.client_id, client.client_secret ?? '') };
}

function exchange(client: TestClient, form: Record<string, string>, poster = post) {
  return poster('/oauth/token', { grant_type: GRANT, ...form }, auth(client));
}

async function tokenOf(res: Response): Promise<string> {
  return (await json<{ access_token: string }>(res, 200)).access_token;
}

async function introspect(token: string, client: TestClient, poster = post) {
  return json<Record<string, unknown>>(await poster('/oauth/introspect', { token }, auth(client)), 200);
}

beforeAll(async () => {
  admin = await AdminApi.create();
  service = await createServiceClient(admin, { grant_types: ['client_credentials', GRANT] });
  web = await createWebClient(admin, {
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', GRANT],
  });
  user = await createTestUser(admin);
});

describe('Token Exchange (RFC 8693): discovery and registration', () => {
  it('advertises the grant type', async () => {
    const body = await json<{ grant_types_supported: string[] }>(
      await get('/.well-known/openid-configuration'),
      200,
    );
    expect(body.grant_types_supported).toContain(GRANT);
  });

  it('refuses the grant for a public client at registration', async () => {
    const res = await admin.call('POST', '/admin/api/clients', {
      client_name: unique('public'),
      redirect_uris: ['https://app.example.com/cb'],
      grant_types: ['authorization_code', GRANT],
      token_endpoint_auth_method: 'none',
    });
    // The admin API answers validation failures as invalid_request naming the field (contracts.md).
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).toContain('token exchange');
  });
});

describe('Token Exchange (RFC 8693): impersonation and narrowing', () => {
  it('exchanges an access token for one with narrower scope, no refresh token (§2.2.1)', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read write'));
    const res = await exchange(service, {
      subject_token: subject,
      subject_token_type: ACCESS,
      scope: 'read',
      requested_token_type: ACCESS,
    });
    const body = await json<Record<string, unknown>>(res, 200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ issued_token_type: ACCESS, token_type: 'Bearer', scope: 'read' });
    expect(body.refresh_token).toBeUndefined();
    const claims = decodeJwt(body.access_token as string);
    const original = decodeJwt(subject);
    expect(claims).toMatchObject({ sub: service.client_id, client_id: service.client_id, scope: 'read' });
    expect(claims.exp).toBeLessThanOrEqual(original.exp as number);
    expect(claims.act).toBeUndefined();
  });

  it('keeps the subject token scope and audience by default', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read write'));
    const issued = await tokenOf(
      await exchange(service, { subject_token: subject, subject_token_type: ACCESS }),
    );
    expect(await introspect(issued, service)).toMatchObject({
      active: true,
      scope: 'read write',
      aud: service.client_id,
      sub: service.client_id,
    });
  });

  it('answers invalid_scope for a scope wider than the subject token', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read'));
    const res = await exchange(service, {
      subject_token: subject,
      subject_token_type: ACCESS,
      scope: 'read write',
    });
    await expectOAuthError(res, 400, 'invalid_scope');
  });

  it('answers invalid_target for an audience or resource outside the subject token', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read'));
    const base = { subject_token: subject, subject_token_type: ACCESS };
    await expectOAuthError(
      await exchange(service, { ...base, audience: 'other-api' }),
      400,
      'invalid_target',
    );
    await expectOAuthError(
      await exchange(service, { ...base, resource: 'https://api.example.com/' }),
      400,
      'invalid_target',
    );
    await expectOAuthError(
      await exchange(service, { ...base, resource: 'https://api.example.com/#frag' }),
      400,
      'invalid_target',
    );
    const same = await exchange(service, { ...base, audience: service.client_id });
    expect(decodeJwt(await tokenOf(same)).aud).toBe(service.client_id);
  });

  it('narrows a resource-restricted token (RFC 8707) to one of its resources', async () => {
    const form = new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' });
    form.append('resource', ORIGIN);
    form.append('resource', `${ORIGIN}/mcp`);
    const subject = await tokenOf(await post('/oauth/token', form.toString(), auth(service)));
    expect(decodeJwt(subject).aud).toEqual([ORIGIN, `${ORIGIN}/mcp`]);
    const base = { subject_token: subject, subject_token_type: ACCESS };
    const narrowed = await tokenOf(await exchange(service, { ...base, resource: `${ORIGIN}/mcp` }));
    expect(decodeJwt(narrowed).aud).toBe(`${ORIGIN}/mcp`);
    await expectOAuthError(
      await exchange(service, { ...base, audience: service.client_id }),
      400,
      'invalid_target',
    );
  });

  it('exchanges a user access token of the code flow, and the client own refresh token', async () => {
    const tokens = await codeFlow(web, user, 'openid read offline_access');
    const fromAccess = await tokenOf(
      await exchange(web, { subject_token: tokens.access_token, subject_token_type: ACCESS, scope: 'read' }),
    );
    expect(decodeJwt(fromAccess)).toMatchObject({ sub: user.id, client_id: web.client_id, scope: 'read' });
    const fromRefresh = await tokenOf(
      await exchange(web, { subject_token: tokens.refresh_token ?? '', subject_token_type: REFRESH }),
    );
    expect(decodeJwt(fromRefresh)).toMatchObject({ sub: user.id, scope: 'openid read offline_access' });
    // Another client may not use the refresh token.
    await expectOAuthError(
      await exchange(service, { subject_token: tokens.refresh_token ?? '', subject_token_type: REFRESH }),
      400,
      'invalid_request',
    );
  });

  it('refuses the token of a user who has been disabled since', async () => {
    const member = await createTestUser(admin);
    const tokens = await codeFlow(web, member, 'openid read');
    await admin.put(`/admin/api/users/${member.id}`, { enabled: false });
    const body = await expectOAuthError(
      await exchange(web, { subject_token: tokens.access_token, subject_token_type: ACCESS }),
      400,
      'invalid_request',
    );
    // Disabling the user revoked their grants, so the subject token is no longer active.
    expect(body.error_description).toContain('not an active access token');
  });

  it('revoking the subject grant revokes the exchanged token (one grant)', async () => {
    const tokens = await codeFlow(web, user, 'openid read offline_access');
    const issued = await tokenOf(
      await exchange(web, { subject_token: tokens.access_token, subject_token_type: ACCESS }),
    );
    expect((await introspect(issued, web)).active).toBe(true);
    const revoked = await post('/oauth/revoke', { token: tokens.refresh_token ?? '' }, auth(web));
    expect(revoked.status).toBe(200);
    expect(await introspect(issued, web)).toEqual({ active: false });
    await expectOAuthError(
      await exchange(web, { subject_token: tokens.access_token, subject_token_type: ACCESS }),
      400,
      'invalid_request',
    );
  });
});

describe('Token Exchange (RFC 8693): delegation (act, may_act)', () => {
  it('puts the actor in act, shows it in introspection, and nests an earlier actor (§4.1)', async () => {
    const tokens = await codeFlow(web, user, 'openid read offline_access');
    const actor = await tokenOf(await clientCredentials(web, 'read'));
    const first = await tokenOf(
      await exchange(web, {
        subject_token: tokens.access_token,
        subject_token_type: ACCESS,
        actor_token: actor,
        actor_token_type: ACCESS,
      }),
    );
    const act = { sub: web.client_id, client_id: web.client_id };
    expect(decodeJwt(first)).toMatchObject({ sub: user.id, act });
    expect(await introspect(first, web)).toMatchObject({ active: true, sub: user.id, act });

    const serviceActor = await tokenOf(await clientCredentials(service, 'read'));
    // The service may only use tokens that name it: it cannot act on the web client's token.
    await expectOAuthError(
      await exchange(service, { subject_token: first, subject_token_type: ACCESS }),
      400,
      'invalid_request',
    );
    const second = await tokenOf(
      await exchange(web, {
        subject_token: first,
        subject_token_type: ACCESS,
        actor_token: actor,
        actor_token_type: ACCESS,
        scope: 'read',
      }),
    );
    expect(decodeJwt(second).act).toEqual({ ...act, act });
    // Without an actor the chain of the subject token is kept, never dropped.
    const plain = await tokenOf(await exchange(web, { subject_token: second, subject_token_type: ACCESS }));
    expect(decodeJwt(plain).act).toEqual({ ...act, act });
    expect(serviceActor).toBeTruthy();
  });

  it('honours may_act: only the named actor may act, and an actor is then required (§4.4)', async () => {
    const keySet = await importKeySet(
      await env.KEY_RING.get(env.KEY_RING.idFromName('key-ring')).getKeys(),
      env.OAUTH2_KEY_ENCRYPTION_KEY ?? '',
      Math.floor(Date.now() / 1000),
    );
    const key = keySet.active.access_token.ES256;
    if (!key) throw new Error('no access token key');
    const now = Math.floor(Date.now() / 1000);
    const subjectWith = (mayAct: Record<string, unknown>) =>
      new SignJWT({ client_id: web.client_id, scope: 'read', may_act: mayAct })
        .setProtectedHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid })
        .setIssuer(ORIGIN)
        .setSubject(user.id)
        .setAudience(web.client_id)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(`${newGrantId(256)}.abcdefghijk`)
        .sign(key.privateKey);
    const actor = await tokenOf(await clientCredentials(web, 'read'));
    const allowed = await subjectWith({ sub: web.client_id });
    const ok = await exchange(web, {
      subject_token: allowed,
      subject_token_type: ACCESS,
      actor_token: actor,
      actor_token_type: ACCESS,
    });
    expect(decodeJwt(await tokenOf(ok)).act).toEqual({ sub: web.client_id, client_id: web.client_id });
    await expectOAuthError(
      await exchange(web, { subject_token: allowed, subject_token_type: ACCESS }),
      400,
      'invalid_request',
    );
    const other = await subjectWith({ sub: 'someone-else' });
    await expectOAuthError(
      await exchange(web, {
        subject_token: other,
        subject_token_type: ACCESS,
        actor_token: actor,
        actor_token_type: ACCESS,
      }),
      400,
      'invalid_request',
    );
  });

  it('stores act with an opaque exchanged token (OAUTH2_ACCESS_TOKENS_OPAQUE)', async () => {
    const opaque = postWith({ OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
    const subject = await tokenOf(
      await opaque('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, auth(web)),
    );
    expect(subject.startsWith('oat_')).toBe(true);
    const issued = await tokenOf(
      await exchange(
        web,
        {
          subject_token: subject,
          subject_token_type: ACCESS,
          actor_token: subject,
          actor_token_type: ACCESS,
        },
        opaque,
      ),
    );
    expect(issued.startsWith('oat_')).toBe(true);
    expect(await introspect(issued, web, opaque)).toMatchObject({
      active: true,
      act: { sub: web.client_id, client_id: web.client_id },
    });
  });
});

describe('Token Exchange (RFC 8693): events', () => {
  it('publishes token_created with the grant type, the subject client and the actor', async () => {
    const queue = new CapturingQueue();
    const call = workerFor(envWith({}, queue));
    const subject = await tokenOf(await clientCredentials(web, 'read'));
    const res = await call(
      '/oauth/token',
      form(
        {
          grant_type: GRANT,
          subject_token: subject,
          subject_token_type: ACCESS,
          actor_token: subject,
          actor_token_type: ACCESS,
        },
        auth(web),
      ),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const [event] = queue.of('token_created');
    expect(event).toMatchObject({
      client_id: web.client_id,
      metadata: {
        grant_type: GRANT,
        subject_client_id: web.client_id,
        actor: web.client_id,
        actor_client_id: web.client_id,
      },
    });
  });
});

describe('Token Exchange (RFC 8693): errors (§2.2.2)', () => {
  it('refuses clients not registered for the grant', async () => {
    const plain = await createServiceClient(admin);
    const subject = await tokenOf(await clientCredentials(plain, 'read'));
    await expectOAuthError(
      await exchange(plain, { subject_token: subject, subject_token_type: ACCESS }),
      400,
      'unauthorized_client',
    );
  });

  it('answers invalid_request for missing, unsupported, invalid and mismatched parameters', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read'));
    const cases: Record<string, string>[] = [
      { subject_token_type: ACCESS },
      { subject_token: subject },
      { subject_token: subject, subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' },
      { subject_token: 'garbage', subject_token_type: ACCESS },
      { subject_token: `${subject}x`, subject_token_type: ACCESS },
      { subject_token: subject, subject_token_type: ACCESS, requested_token_type: REFRESH },
      { subject_token: subject, subject_token_type: ACCESS, actor_token: subject },
      { subject_token: subject, subject_token_type: ACCESS, actor_token_type: ACCESS },
      { subject_token: subject, subject_token_type: ACCESS, actor_token: 'nope', actor_token_type: ACCESS },
      { subject_token: subject, subject_token_type: REFRESH },
    ];
    for (const form of cases) {
      const body = await expectOAuthError(await exchange(service, form), 400, 'invalid_request');
      expect(body.error_description).not.toContain(subject);
    }
  });

  it('refuses a repeated audience parameter', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read'));
    const form = new URLSearchParams({
      grant_type: GRANT,
      subject_token: subject,
      subject_token_type: ACCESS,
    });
    form.append('audience', service.client_id);
    form.append('audience', service.client_id);
    await expectOAuthError(
      await post('/oauth/token', form.toString(), auth(service)),
      400,
      'invalid_request',
    );
  });

  it('requires client authentication', async () => {
    const subject = await tokenOf(await clientCredentials(service, 'read'));
    const res = await post('/oauth/token', {
      grant_type: GRANT,
      subject_token: subject,
      subject_token_type: ACCESS,
      client_id: service.client_id,
    });
    await expectOAuthError(res, 401, 'invalid_client');
  });
});
