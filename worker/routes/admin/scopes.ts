/** /admin/api/scopes: scopes defined at run time, beside the built-in and configured ones (read-only). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { PageQuerySchema } from '../../../src/admin/paging';
import {
  createScope,
  deleteScope,
  getScope,
  listScopes,
  ScopeCreateSchema,
  ScopePageSchema,
  ScopeUpdateSchema,
  ScopeViewSchema,
  updateScope,
} from '../../../src/admin/scopes';
import { REGISTRY_CACHE_TTL_SECS } from '../../../src/oauth/stored-registry';
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

const SCOPES = `${ADMIN_API}/scopes`;
const ItemParam = pathParam('name', 'The scope name');
const TAKES_EFFECT = `A change applies at once in this isolate, within ${REGISTRY_CACHE_TTL_SECS} s everywhere.`;

const listRoute = adminRoute('read', {
  method: 'get',
  path: SCOPES,
  summary: 'List scopes',
  description:
    'Newest first; the first page starts with the built-in and configured scopes (source, read_only: true).',
  request: { query: querySchema(PageQuerySchema) },
  responses: { 200: jsonResponse('A page of scopes', ScopePageSchema), ...readErrors },
});

const createRoute = adminRoute('write', {
  method: 'post',
  path: SCOPES,
  summary: 'Define a scope',
  description: `Built-in scopes (admin among them) cannot be defined (400); a name from configuration or one already defined is 409. ${TAKES_EFFECT}`,
  request: { body: jsonBody(ScopeCreateSchema) },
  responses: { 201: jsonResponse('Defined', ScopeViewSchema), ...writeErrors },
});

const getRoute = adminRoute('read', {
  method: 'get',
  path: `${SCOPES}/{name}`,
  summary: 'Read a scope',
  request: { params: ItemParam },
  responses: { 200: jsonResponse('The scope', ScopeViewSchema), ...itemErrors },
});

const updateRoute = adminRoute('write', {
  method: 'put',
  path: `${SCOPES}/{name}`,
  summary: 'Replace a scope',
  description: `409 for one that is read-only. ${TAKES_EFFECT}`,
  request: { params: ItemParam, body: jsonBody(ScopeUpdateSchema) },
  responses: { 200: jsonResponse('Replaced', ScopeViewSchema), ...writeErrors },
});

const deleteRoute = adminRoute('write', {
  method: 'delete',
  path: `${SCOPES}/{name}`,
  summary: 'Delete a scope',
  description: `409 naming the clients or APIs that still hold the scope (clients found by a bounded scan of the newest 10000). ${TAKES_EFFECT}`,
  request: { params: ItemParam },
  responses: { 204: { description: 'Deleted' }, ...writeErrors },
});

export function registerAdminScopeRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) =>
    answer(c.json(await listScopes(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  app.openapi(createRoute, async (c) =>
    answer(c.json(await createScope(adminContext(c), c.req.valid('json')), 201, noStore)),
  );
  allowOnly(app, SCOPES, ['GET', 'POST']);

  app.openapi(getRoute, async (c) =>
    answer(c.json(await getScope(adminContext(c), c.req.param('name')), 200, noStore)),
  );
  app.openapi(updateRoute, async (c) =>
    answer(
      c.json(await updateScope(adminContext(c), c.req.param('name'), c.req.valid('json')), 200, noStore),
    ),
  );
  app.openapi(deleteRoute, async (c) => {
    await deleteScope(adminContext(c), c.req.param('name'));
    return answer(c.body(null, 204, noStore));
  });
  allowOnly(app, getRoute.getRoutingPath(), ['GET', 'PUT', 'DELETE']);
}
