/** /admin/api/keys: signing keys (public parts, status, dates) and rotation. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { listSigningKeys, rotateSigningKeys, SigningKeyListSchema } from '../../../src/admin/keys';
import { adminContext } from '../../admin-context';
import type { AppEnv } from '../../context';
import { answer } from '../schemas';
import { ADMIN_API, adminRoute, allowOnly, jsonResponse, noStore, readErrors, writeErrors } from './common';

const KEYS = `${ADMIN_API}/keys`;

const listRoute = adminRoute('read', {
  method: 'get',
  path: KEYS,
  summary: 'List signing keys',
  description: 'Every key, newest first: public JWK, status and dates. Never private material.',
  responses: { 200: jsonResponse('The keys', SigningKeyListSchema), ...readErrors },
});

const rotateRoute = adminRoute('write', {
  method: 'post',
  path: `${KEYS}/rotate`,
  summary: 'Rotate the signing keys',
  description:
    'New active keys for access tokens (ES256) and ID tokens (RS256). The old ones keep verifying (retiring) until every token they signed has expired. New keys sign at once in this isolate, within 60 s in others.',
  responses: { 200: jsonResponse('The published keys, newest first', SigningKeyListSchema), ...writeErrors },
});

export function registerAdminKeyRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) => answer(c.json(await listSigningKeys(adminContext(c)), 200, noStore)));
  allowOnly(app, listRoute.path, ['GET']);
  app.openapi(rotateRoute, async (c) =>
    answer(c.json(await rotateSigningKeys(adminContext(c)), 200, noStore)),
  );
  allowOnly(app, rotateRoute.path, ['POST']);
}
