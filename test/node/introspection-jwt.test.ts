/**
 * RFC 9701 JWT introspection responses as oauth4webapi consumes them, against the built Worker bundle:
 * `introspectionRequest` asks for the JWT (the client's `introspection_signed_response_alg`, or
 * `requestJwtResponse`), `processIntrospectionResponse` checks typ, iss, aud, iat and the alg against
 * discovery, and `validateApplicationLevelSignature` verifies the signature against the JWKS.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, registerClient, startServer, type TestServer } from './support';

describe('oauth4webapi: JWT introspection responses (RFC 9701)', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let token: string;
  const insecure = { [oauth.allowInsecureRequests]: true }; // local http:// only

  async function service(metadata: Record<string, unknown> = {}) {
    const registered = await registerClient(server, await adminToken(server), {
      client_name: 'oauth4webapi resource server',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read',
      ...metadata,
    });
    return {
      client: { client_id: registered.client_id, ...metadata } as oauth.Client,
      auth: oauth.ClientSecretBasic(String(registered.client_secret)),
    };
  }

  beforeAll(async () => {
    server = await startServer();
    const issuer = new URL(server.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('discovery announces the algs', () => {
    expect(as.introspection_signing_alg_values_supported).toEqual(['RS256', 'ES256']);
  });

  it('a client registered with introspection_signed_response_alg ES256 gets a verified ES256 JWT', async () => {
    const { client, auth } = await service({ introspection_signed_response_alg: 'ES256' });
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, { scope: 'read' }, insecure),
    );
    token = tokens.access_token;
    const response = await oauth.introspectionRequest(as, client, auth, token, insecure);
    expect(response.headers.get('content-type')).toBe('application/token-introspection+jwt');
    const info = await oauth.processIntrospectionResponse(as, client, response);
    await oauth.validateApplicationLevelSignature(as, response, insecure);
    expect(info).toMatchObject({ active: true, scope: 'read', client_id: client.client_id, iss: server.url });
  });

  it('a client without the metadata asks with requestJwtResponse (RS256 by default)', async () => {
    const { client, auth } = await service();
    const response = await oauth.introspectionRequest(as, client, auth, token, {
      ...insecure,
      requestJwtResponse: true,
    });
    expect(response.headers.get('content-type')).toBe('application/token-introspection+jwt');
    const info = await oauth.processIntrospectionResponse(as, client, response);
    await oauth.validateApplicationLevelSignature(as, response, insecure);
    // Another client's token: inactive for this caller.
    expect(info).toEqual({ active: false });
    // Without asking: the JSON answer.
    const plain = await oauth.introspectionRequest(as, client, auth, token, insecure);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await oauth.processIntrospectionResponse(as, client, plain)).active).toBe(false);
  });

  it('a client expecting RS256 refuses an ES256 response', async () => {
    const { client, auth } = await service({ introspection_signed_response_alg: 'ES256' });
    const response = await oauth.introspectionRequest(as, client, auth, token, insecure);
    const expectingRs256 = { ...client, introspection_signed_response_alg: 'RS256' };
    await expect(oauth.processIntrospectionResponse(as, expectingRs256, response)).rejects.toThrow(/alg/i);
  });
});
