/** /admin/api/grants: token families by client and/or user; revoke one, or in bulk. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  BULK_REVOKE_LIMIT,
  BulkRevokeResultSchema,
  BulkRevokeSchema,
  GrantPageSchema,
  GrantQuerySchema,
  GrantViewSchema,
  getGrant,
  listGrants,
  revokeGrant,
  revokeGrants,
} from '../../../src/admin/grants';
import { PageQuerySchema } from '../../../src/admin/paging';
import { adminContext } from '../../admin-context';
import type { AppEnv } from '../../context';
import { answer } from '../schemas';
import {
  ADMIN_API,
  adminQuery,
  adminRoute,
  allowOnly,
  itemErrors,
  jsonBody,
  jsonResponse,
  noStore,
  pathParam,
  querySchema,
  readErrors,
  writeErrors,
} from './common';

const GRANTS = `${ADMIN_API}/grants`;
const GrantIdParam = pathParam('id', 'The grant id');

const listRoute = adminRoute('read', {
  method: 'get',
  path: GRANTS,
  summary: 'List grants (token families)',
  description:
    'Newest first. Grants come from the authorization code flow (and its refresh tokens); client_credentials tokens create none.',
  request: { query: querySchema(PageQuerySchema.extend(GrantQuerySchema.shape)) },
  responses: { 200: jsonResponse('A page of grants', GrantPageSchema), ...readErrors },
});

const getRoute = adminRoute('read', {
  method: 'get',
  path: `${GRANTS}/{id}`,
  summary: 'Read a grant',
  request: { params: GrantIdParam },
  responses: { 200: jsonResponse('The grant', GrantViewSchema), ...itemErrors },
});

const revokeRoute = adminRoute('write', {
  method: 'delete',
  path: `${GRANTS}/{id}`,
  summary: 'Revoke a grant',
  description:
    'Revokes the whole family through its TokenActor: its access tokens (JWT or opaque) introspect inactive at once and its refresh tokens stop working. Idempotent.',
  request: { params: GrantIdParam },
  responses: { 200: jsonResponse('The revoked grant', GrantViewSchema), ...writeErrors },
});

const bulkRoute = adminRoute('write', {
  method: 'post',
  path: `${GRANTS}/revoke`,
  summary: 'Revoke the grants of a client and/or user',
  description: `Revokes up to ${BULK_REVOKE_LIMIT} active grants per call (newest first); repeat while more is true.`,
  request: { body: jsonBody(BulkRevokeSchema) },
  responses: { 200: jsonResponse('What was revoked', BulkRevokeResultSchema), ...writeErrors },
});

export function registerAdminGrantRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) =>
    answer(c.json(await listGrants(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  allowOnly(app, GRANTS, ['GET']);

  // Registered before /{id} so that "revoke" is never taken for a grant id.
  app.openapi(bulkRoute, async (c) =>
    answer(c.json(await revokeGrants(adminContext(c), c.req.valid('json')), 200, noStore)),
  );
  allowOnly(app, bulkRoute.getRoutingPath(), ['POST']);

  app.openapi(getRoute, async (c) =>
    answer(c.json(await getGrant(adminContext(c), c.req.param('id')), 200, noStore)),
  );
  app.openapi(revokeRoute, async (c) =>
    answer(c.json(await revokeGrant(adminContext(c), c.req.param('id')), 200, noStore)),
  );
  allowOnly(app, getRoute.getRoutingPath(), ['GET', 'DELETE']);
}
