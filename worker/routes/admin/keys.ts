/** /admin/api/keys: signing keys (public parts, status, dates) and rotation. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { listSigningKeys, rotateSigningKeys, SigningKeyListSchema } from '../../../src/admin/keys';
import type { AppEnv } from '../../context';
import { registerPath } from './collection';
import { ADMIN_API } from './common';

const KEYS = `${ADMIN_API}/keys`;

export function registerAdminKeyRoutes(app: OpenAPIHono<AppEnv>): void {
  registerPath(app, {
    method: 'get',
    path: KEYS,
    summary: 'List signing keys',
    description: 'Every key, newest first: public JWK, status and dates. Never private material.',
    reply: ['The keys', SigningKeyListSchema],
    run: (ctx) => listSigningKeys(ctx),
  });
  registerPath(app, {
    method: 'post',
    path: `${KEYS}/rotate`,
    summary: 'Rotate the signing keys',
    description:
      'New active keys for access tokens (ES256) and ID tokens (RS256). The old ones keep verifying (retiring) until every token they signed has expired. New keys sign at once in this isolate, within 60 s in others.',
    reply: ['The published keys, newest first', SigningKeyListSchema],
    run: (ctx) => rotateSigningKeys(ctx),
  });
}
