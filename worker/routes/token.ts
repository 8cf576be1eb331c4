/** POST /oauth/token (RFC 6749 §3.2). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { tokenRequest } from '../../src/oauth/token-endpoint';
import type { AppEnv } from '../context';
import { readForm } from '../middleware/body';
import { oauthContext } from '../services';
import { basicAuth, ClientAuthFields, errorResponses } from './schemas';

const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string().optional(),
  })
  .openapi('TokenResponse');

export const tokenRoute = createRoute({
  method: 'post',
  path: '/oauth/token',
  tags: ['OAuth 2.0'],
  summary: 'Token endpoint',
  description: 'Grants: client_credentials. A repeated parameter is invalid_request.',
  security: basicAuth,
  request: {
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: z.object({
            grant_type: z.enum(['client_credentials']),
            scope: z.string().optional(),
            ...ClientAuthFields,
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'Tokens issued', content: { 'application/json': { schema: TokenResponseSchema } } },
    ...errorResponses,
  },
});

export function registerTokenRoute(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerPath(tokenRoute);
  app.post(tokenRoute.path, async (c) => {
    const params = await readForm(c.req.raw);
    const ctx = oauthContext(c.env, c.get('config'), c.req.url);
    const body = await tokenRequest(ctx, params, c.req.header('authorization'));
    return c.json(body, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });
}
