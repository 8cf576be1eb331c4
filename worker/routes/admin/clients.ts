/** /admin/api/clients: list and search, create, read, update, delete, rotate the secret. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  ClientCreateSchema,
  ClientPageSchema,
  ClientSecretSchema,
  ClientUpdateSchema,
  ClientViewSchema,
  ClientWithSecretSchema,
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateClientSecret,
  updateClient,
} from '../../../src/admin';
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
  jsonResponse,
  noStore,
  operationCheckedBody,
  pathParam,
  querySchema,
  readErrors,
  writeErrors,
} from './common';

const CLIENTS = `${ADMIN_API}/clients`;
const ClientIdParam = pathParam('client_id', 'The client_id');

const listRoute = adminRoute('read', {
  method: 'get',
  path: CLIENTS,
  summary: 'List clients',
  description:
    'Newest first. The bootstrap admin client is configuration, not a stored client: it is not listed.',
  request: {
    query: querySchema(
      PageQuerySchema.extend({
        q: z
          .string()
          .optional()
          .meta({ description: 'Case-insensitive substring of client_id or client_name' }),
      }),
    ),
  },
  responses: { 200: jsonResponse('A page of clients', ClientPageSchema), ...readErrors },
});

const createClientRoute = adminRoute('write', {
  method: 'post',
  path: CLIENTS,
  summary: 'Create a client',
  description:
    'RFC 7591 field names (unknown fields are ignored), plus first_party and enabled. Scope may include admin. A confidential client gets client_secret, shown only in this response.',
  // Checked by the operation (first_party and enabled, then validateClientMetadata: RFC 7591 rules).
  request: { body: operationCheckedBody('AdminClientCreate') },
  responses: { 201: jsonResponse('Created', ClientWithSecretSchema), ...writeErrors },
});

const getRoute = adminRoute('read', {
  method: 'get',
  path: `${CLIENTS}/{client_id}`,
  summary: 'Read a client',
  description: 'Also the bootstrap admin client (bootstrap: true, read-only). Never a secret.',
  request: { params: ClientIdParam },
  responses: { 200: jsonResponse('The client', ClientViewSchema), ...itemErrors },
});

const updateRoute = adminRoute('write', {
  method: 'put',
  path: `${CLIENTS}/{client_id}`,
  summary: 'Update a client',
  description:
    'Fields sent replace the current values, null returns a field to its default, omitted fields stay. enabled: false makes its tokens inactive (at once here, within 10 s in other isolates). The bootstrap admin client answers 403.',
  // Checked by the operation, as for a new client.
  request: { params: ClientIdParam, body: operationCheckedBody('AdminClientUpdate') },
  responses: { 200: jsonResponse('Updated', ClientWithSecretSchema), ...writeErrors },
});

const deleteRoute = adminRoute('write', {
  method: 'delete',
  path: `${CLIENTS}/{client_id}`,
  summary: 'Delete a client',
  description: 'Its tokens become inactive; nothing else is revoked. The bootstrap admin client answers 403.',
  request: { params: ClientIdParam },
  responses: { 204: { description: 'Deleted' }, ...writeErrors },
});

const rotateRoute = adminRoute('write', {
  method: 'post',
  path: `${CLIENTS}/{client_id}/secret`,
  summary: 'Rotate the client secret',
  description:
    'A new secret, shown only in this response; the old one stops working (at once here, within 10 s in other isolates). Public clients have none (400).',
  request: { params: ClientIdParam },
  responses: { 200: jsonResponse('The new secret', ClientSecretSchema), ...writeErrors },
});

export function registerAdminClientRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.register('AdminClientCreate', ClientCreateSchema);
  app.openAPIRegistry.register('AdminClientUpdate', ClientUpdateSchema);
  app.openapi(listRoute, async (c) =>
    answer(c.json(await listClients(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  app.openapi(createClientRoute, async (c) =>
    answer(c.json(await createClient(adminContext(c), await c.req.json()), 201, noStore)),
  );
  allowOnly(app, CLIENTS, ['GET', 'POST']);

  app.openapi(getRoute, async (c) =>
    answer(c.json(await getClient(adminContext(c), c.req.param('client_id')), 200, noStore)),
  );
  app.openapi(updateRoute, async (c) =>
    answer(
      c.json(await updateClient(adminContext(c), c.req.param('client_id'), await c.req.json()), 200, noStore),
    ),
  );
  app.openapi(deleteRoute, async (c) => {
    await deleteClient(adminContext(c), c.req.param('client_id'));
    return answer(c.body(null, 204, noStore));
  });
  allowOnly(app, getRoute.getRoutingPath(), ['GET', 'PUT', 'DELETE']);

  app.openapi(rotateRoute, async (c) =>
    answer(c.json(await rotateClientSecret(adminContext(c), c.req.param('client_id')), 200, noStore)),
  );
  allowOnly(app, rotateRoute.getRoutingPath(), ['POST']);
}
