/**
 * The oauth4webapi snippet of docs/openid-libraries.md, run against the built Worker bundle
 * (bench/lib/server.mjs, served on http://127.0.0.1:<port>): discovery, client_credentials and
 * introspection (RFC 7662), with the `allowInsecureRequests` option a local http:// server needs.
 */
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, registerClient, startServer, type TestServer } from './support';

describe('oauth4webapi against a local server', () => {
  let server: TestServer;
  let clientId: string;
  let clientSecret: string;
  beforeAll(async () => {
    server = await startServer();
    const registered = await registerClient(server, await adminToken(server), {
      client_name: 'oauth4webapi service',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'read write',
    });
    clientId = registered.client_id;
    clientSecret = String(registered.client_secret);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('discovery, client_credentials and introspection (the snippet of docs/openid-libraries.md)', async () => {
    // --- as in docs/openid-libraries.md ---
    const issuer = new URL(server.url); // http://127.0.0.1:8787 under `npm start`
    const insecure = { [oauth.allowInsecureRequests]: true }; // local http:// only; never in production

    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));

    const client: oauth.Client = { client_id: clientId };
    const clientAuth = oauth.ClientSecretBasic(clientSecret);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, clientAuth, { scope: 'read' }, insecure),
    );

    const info = await oauth.processIntrospectionResponse(
      as,
      client,
      await oauth.introspectionRequest(as, client, clientAuth, tokens.access_token, insecure),
    );
    // --- end of the snippet ---

    expect(as.issuer).toBe(server.url);
    expect(as.token_endpoint).toBe(`${server.url}/oauth/token`);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope).toBe('read');
    expect(info.active).toBe(true);
    expect(info.scope).toBe('read');
    expect(info.client_id).toBe(clientId);
  });

  it('without allowInsecureRequests, oauth4webapi refuses the http:// server', async () => {
    const issuer = new URL(server.url);
    await expect(oauth.discoveryRequest(issuer)).rejects.toThrow(/https/i);
  });
});
