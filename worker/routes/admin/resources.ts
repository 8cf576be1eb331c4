/** /admin/api/resources: APIs (protected resources, RFC 8707 / RFC 9728) defined at run time, beside the configured ones (read-only). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { PageQuerySchema } from '../../../src/admin/paging';
import {
  createResource,
  deleteResource,
  getResource,
  listResources,
  ResourceInputSchema,
  ResourcePageSchema,
  ResourceViewSchema,
  updateResource,
} from '../../../src/admin/resources';
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
  operationCheckedBody,
  pathParam,
  querySchema,
  readErrors,
  writeErrors,
} from './common';

const RESOURCES = `${ADMIN_API}/resources`;
const ItemParam = pathParam('id', 'The API id (for one from configuration: its identifier)');
const TAKES_EFFECT = `A change applies at once in this isolate, within ${REGISTRY_CACHE_TTL_SECS} s everywhere.`;

const listRoute = adminRoute('read', {
  method: 'get',
  path: RESOURCES,
  summary: 'List resources',
  description:
    'Newest first; the first page starts with the configured APIs (source: configuration, read_only: true).',
  request: { query: querySchema(PageQuerySchema) },
  responses: { 200: jsonResponse('A page of resources', ResourcePageSchema), ...readErrors },
});

const createRoute = adminRoute('write', {
  method: 'post',
  path: RESOURCES,
  summary: 'Define an API',
  description: `Its scopes must be defined through /admin/api/scopes and belong to no other API; tokens for them carry its identifier as aud. ${TAKES_EFFECT}`,
  request: { body: jsonBody(ResourceInputSchema) },
  responses: { 201: jsonResponse('Defined', ResourceViewSchema), ...writeErrors },
});

const getRoute = adminRoute('read', {
  method: 'get',
  path: `${RESOURCES}/{id}`,
  summary: 'Read an API',
  request: { params: ItemParam },
  responses: { 200: jsonResponse('The API', ResourceViewSchema), ...itemErrors },
});

const updateRoute = adminRoute('write', {
  method: 'put',
  path: `${RESOURCES}/{id}`,
  summary: 'Replace an API',
  description: `409 for one that is read-only. ${TAKES_EFFECT}`,
  // Checked by the operation: an API from configuration is 409 whatever the body.
  request: { params: ItemParam, body: operationCheckedBody('ResourceInput') },
  responses: { 200: jsonResponse('Replaced', ResourceViewSchema), ...writeErrors },
});

const deleteRoute = adminRoute('write', {
  method: 'delete',
  path: `${RESOURCES}/{id}`,
  summary: 'Delete an API',
  description: `Its scopes stay defined, of no particular API. ${TAKES_EFFECT}`,
  request: { params: ItemParam },
  responses: { 204: { description: 'Deleted' }, ...writeErrors },
});

export function registerAdminResourceRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) =>
    answer(c.json(await listResources(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  app.openapi(createRoute, async (c) =>
    answer(c.json(await createResource(adminContext(c), c.req.valid('json')), 201, noStore)),
  );
  allowOnly(app, RESOURCES, ['GET', 'POST']);

  app.openapi(getRoute, async (c) =>
    answer(c.json(await getResource(adminContext(c), c.req.param('id')), 200, noStore)),
  );
  app.openapi(updateRoute, async (c) =>
    answer(
      c.json(await updateResource(adminContext(c), c.req.param('id'), await c.req.json()), 200, noStore),
    ),
  );
  app.openapi(deleteRoute, async (c) => {
    await deleteResource(adminContext(c), c.req.param('id'));
    return answer(c.body(null, 204, noStore));
  });
  allowOnly(app, getRoute.getRoutingPath(), ['GET', 'PUT', 'DELETE']);
}
