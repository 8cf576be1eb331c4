/** POST /oauth/token (RFC 6749 §3.2). */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { tokenRequest } from '../../src/oauth/token-endpoint';
import type { AppEnv } from '../context';
import { readForm } from '../middleware/body';
import { executionContextOf } from '../request-storage';
import { oauthContext } from '../services';
import { basicAuth, ClientAuthFields, errorResponses } from './schemas';

const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    scope: z.string().optional(),
    refresh_token: z
      .string()
      .optional()
      .openapi({ description: 'authorization_code and refresh_token grants' }),
    id_token: z.string().optional().openapi({ description: 'when the granted scope includes openid' }),
  })
  .openapi('TokenResponse');

export const tokenRoute = createRoute({
  method: 'post',
  path: '/oauth/token',
  tags: ['OAuth 2.0'],
  summary: 'Token endpoint',
  description:
    'Grants: authorization_code (PKCE S256), refresh_token (rotating), client_credentials. Public clients send client_id only. A repeated parameter is invalid_request.',
  security: basicAuth,
  request: {
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': {
          schema: z.object({
            grant_type: z.enum(['authorization_code', 'refresh_token', 'client_credentials']),
            code: z.string().optional().openapi({ description: 'authorization_code' }),
            code_verifier: z.string().optional().openapi({ description: 'authorization_code (RFC 7636)' }),
            redirect_uri: z
              .string()
              .optional()
              .openapi({ description: 'authorization_code: must match if sent' }),
            refresh_token: z.string().optional().openapi({ description: 'refresh_token' }),
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
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const body = await tokenRequest(ctx, params, c.req.header('authorization'));
    return c.json(body, 200, { 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });
}
