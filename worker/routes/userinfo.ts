/** GET/POST /oauth/userinfo (OIDC Core §5.3): Bearer or DPoP (RFC 9449 §7) Authorization header only. */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { freshDpopNonceHeaders } from '../../src/oauth/dpop/nonce';
import { userInfo } from '../../src/oidc/userinfo';
import type { AppEnv } from '../context';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { answer, jsonError, jsonResponse } from './schemas';

const UserInfoSchema = z
  .object({
    sub: z.string(),
    name: z.string().optional(),
    preferred_username: z.string().optional(),
    updated_at: z.number().int().optional(),
    email: z.string().optional(),
    email_verified: z.boolean().optional(),
  })
  .openapi('UserInfo');

const userInfoRoute = (method: 'get' | 'post') =>
  createRoute({
    method,
    path: '/oauth/userinfo',
    tags: ['OpenID Connect'],
    summary: 'UserInfo (claims by scope: profile, email)',
    security: [{ bearer: [] }],
    description:
      'A DPoP-bound token is sent as `Authorization: DPoP <token>` with a `DPoP` proof header (RFC 9449 §7).',
    responses: {
      200: jsonResponse('Claims', UserInfoSchema),
      401: jsonError('Missing or invalid token'),
      403: jsonError('Token without openid scope'),
    },
  });

async function handle(c: Context<AppEnv>): Promise<Response> {
  const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
  const claims = await userInfo(ctx, {
    authorization: c.req.header('authorization'),
    header: c.req.header('dpop'),
    method: c.req.method,
    url: c.req.url,
  });
  return c.json(claims, 200, {
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...(await freshDpopNonceHeaders(ctx.config, c.req.header('dpop'), ctx.clock.nowSecs())),
  });
}

export function registerUserInfoRoutes(app: OpenAPIHono<AppEnv>): void {
  for (const method of ['get', 'post'] as const) {
    app.openapi(userInfoRoute(method), async (c) => answer(await handle(c)));
  }
}
