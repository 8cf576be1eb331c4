/**
 * RFC 9728: GET /.well-known/oauth-protected-resource[/<path>] for the resources this server fronts
 * (itself, /mcp, configured resources on its origin), and the middleware that adds `resource_metadata`
 * to the Bearer challenges of its own protected endpoints (§5.1).
 */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { NotFoundError } from '../../src/oauth/errors';
import {
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadata,
  protectedResourceMetadataUrl,
  resourceAtMetadataUrl,
  withResourceMetadata,
} from '../../src/oauth/resources/metadata';
import type { AppEnv } from '../context';
import { issuerFor } from '../wiring/services';
import { answer, discoveryRoute, jsonError, jsonResponse } from './schemas';

const ResourceMetadataSchema = z
  .object({
    resource: z.string(),
    authorization_servers: z.array(z.string()),
    bearer_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()).optional(),
    resource_name: z.string().optional(),
  })
  .openapi('ProtectedResourceMetadata');

const metadataRoute = (path: string, summary: string) =>
  discoveryRoute(path, summary, {
    200: jsonResponse('Protected resource metadata (RFC 9728 §3.2)', ResourceMetadataSchema),
    404: jsonError('No resource of this server has its metadata here'),
  });

function serveMetadata(c: Context<AppEnv>): Response {
  const issuer = issuerFor(c.get('config'), c.req.url);
  const entry = resourceAtMetadataUrl(c.req.url, issuer, c.get('config'));
  if (!entry) throw new NotFoundError('no protected resource metadata here');
  return c.json(protectedResourceMetadata(entry, issuer), 200, { 'Cache-Control': 'public, max-age=300' });
}

export function registerProtectedResourceRoutes(app: OpenAPIHono<AppEnv>): void {
  const serve = (c: Context<AppEnv>) => answer(serveMetadata(c));
  app.openapi(
    metadataRoute(
      PROTECTED_RESOURCE_WELL_KNOWN,
      'Protected resource metadata of this server’s own APIs (RFC 9728)',
    ),
    serve,
  );
  app.openapi(
    metadataRoute(
      `${PROTECTED_RESOURCE_WELL_KNOWN}/mcp`,
      'Protected resource metadata of the MCP endpoint (RFC 9728)',
    ),
    serve,
  );
  // Configured resources on this origin have their metadata at paths known only at run time: they share
  // the handler (and the two documented routes above stand for them in the document).
  app.get(`${PROTECTED_RESOURCE_WELL_KNOWN}/*`, serveMetadata);
}

/**
 * RFC 9728 §5.1 on this server's own endpoints (UserInfo, admin API): a 401 or 403 Bearer challenge
 * names the metadata of the resource `resourceOf(issuer)`, so a client can discover how to get a token.
 */
export function resourceChallenge(
  resourceOf: (issuer: string) => string = (issuer) => issuer,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status !== 401 && c.res.status !== 403) return;
    const challenge = c.res.headers.get('WWW-Authenticate');
    if (challenge === null) return;
    const metadataUrl = protectedResourceMetadataUrl(resourceOf(issuerFor(c.get('config'), c.req.url)));
    const updated = withResourceMetadata(challenge, metadataUrl);
    if (updated === challenge) return;
    // Our error responses are built here, so their headers are mutable (and `c.res = …` would merge the old ones back).
    c.res.headers.set('WWW-Authenticate', updated);
  };
}
