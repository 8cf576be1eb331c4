/**
 * Scopes an operator configures (`OAUTH2_SCOPES`) end to end with openid-client 6 against the built Worker
 * bundle (bench/lib/server.mjs): advertised in discovery, registered (RFC 7591), issued through
 * client_credentials and the authorization code flow, and reported by introspection (RFC 7662).
 */
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  createUser,
  discoverAsClient,
  insecure,
  REDIRECT_URI,
  registerClient,
  signInAndApprove,
  startServer,
  type TestServer,
} from './support';

describe('openid-client 6 with OAUTH2_SCOPES="api:read api:write"', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer({ OAUTH2_SCOPES: 'api:read api:write' });
    token = await adminToken(server);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('discovery lists the configured scopes', async () => {
    const config = await client.discovery(
      new URL(server.url),
      server.adminClientId,
      undefined,
      client.ClientSecretBasic(server.adminClientSecret),
      insecure,
    );
    expect(config.serverMetadata().scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'api:read', 'api:write']),
    );
  });

  it('client_credentials: registered with the scopes, issued them, introspection reports them', async () => {
    const registered = await client.dynamicClientRegistration(
      new URL(server.url),
      {
        client_name: 'api service',
        grant_types: ['client_credentials'],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: 'api:read api:write',
      },
      undefined,
      { ...insecure, initialAccessToken: token },
    );
    const { client_id: clientId, client_secret: secret } = registered.clientMetadata();
    const svc = await client.discovery(
      new URL(server.url),
      clientId,
      undefined,
      client.ClientSecretBasic(String(secret)),
      insecure,
    );
    const tokens = await client.clientCredentialsGrant(svc, { scope: 'api:read api:write' });
    expect(tokens.scope).toBe('api:read api:write');
    const info = await client.tokenIntrospection(svc, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.scope).toBe('api:read api:write');
  });

  it('authorization code + PKCE: the user approves the scopes; introspection reports them', async () => {
    const user = await createUser(server, token);
    const registered = await registerClient(server, token, {
      client_name: 'api web app',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid api:read api:write',
    });
    const config = await discoverAsClient(server, registered);
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid api:read',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const callbackUrl = await signInAndApprove(new CookieAgent(server.url), authorizationUrl, user);
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
    expect(tokens.scope).toBe('openid api:read');
    const info = await client.tokenIntrospection(config, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.scope).toBe('openid api:read');
    expect(info.sub).toBe(user.id);
  });
});
