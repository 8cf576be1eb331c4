/** Discovery (RFC 8414, OIDC Discovery) at both well-known paths, and the JWKS (public keys only). */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { discoveryDocument } from '../../src/oidc/discovery';
import type { AppEnv } from '../context';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { answer, discoveryRoute, jsonResponse } from './schemas';

const MetadataSchema = z
  .object({ issuer: z.string(), token_endpoint: z.string(), jwks_uri: z.string() })
  .passthrough()
  .openapi('AuthorizationServerMetadata');

const metadataRoute = (path: string, summary: string) =>
  discoveryRoute(path, summary, { 200: jsonResponse('Metadata', MetadataSchema) });

const JwksSchema = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string() }).passthrough()) })
  .openapi('JWKS');

const jwksRoute = discoveryRoute('/.well-known/jwks.json', 'JSON Web Key Set: public signing keys only', {
  200: jsonResponse('JWKS (RFC 7517)', JwksSchema),
});

export function registerWellKnownRoutes(app: OpenAPIHono<AppEnv>): void {
  for (const route of [
    metadataRoute('/.well-known/openid-configuration', 'OpenID Connect Discovery 1.0'),
    metadataRoute('/.well-known/oauth-authorization-server', 'Authorization server metadata (RFC 8414)'),
  ]) {
    app.openapi(route, (c) => {
      const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
      return answer(
        c.json(discoveryDocument(ctx.issuer, ctx.config), 200, { 'Cache-Control': 'public, max-age=300' }),
      );
    });
  }

  app.openapi(jwksRoute, async (c) => {
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const { jwks } = await ctx.keys.keySet();
    return answer(c.json(jwks, 200, { 'Cache-Control': 'public, max-age=300, stale-while-revalidate=60' }));
  });
}
