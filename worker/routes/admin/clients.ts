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
import { readJsonObject } from '../../middleware/body';
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
    query: PageQuerySchema.extend({
      q: z
        .string()
        .optional()
        .meta({ description: 'Case-insensitive substring of client_id or client_name' }),
    }),
  },
  responses: { 200: jsonResponse('A page of clients', ClientPageSchema), ...readErrors },
});

const createClientRoute = adminRoute('write', {
  method: 'post',
  path: CLIENTS,
  summary: 'Create a client',
  description:
    'RFC 7591 field names (unknown fields are ignored), plus first_party and enabled. Scope may include admin. A confidential client gets client_secret, shown only in this response.',
  request: { body: jsonBody(ClientCreateSchema) },
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
  request: { params: ClientIdParam, body: jsonBody(ClientUpdateSchema) },
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
  for (const route of [listRoute, createClientRoute, getRoute, updateRoute, deleteRoute, rotateRoute]) {
    app.openAPIRegistry.registerPath(route);
  }
  app.get(CLIENTS, async (c) => c.json(await listClients(adminContext(c), adminQuery(c)), 200, noStore));
  app.post(CLIENTS, async (c) => {
    const body = await readJsonObject(c.req.raw);
    return c.json(await createClient(adminContext(c), body), 201, noStore);
  });
  allowOnly(app, CLIENTS, ['GET', 'POST']);

  const item = getRoute.getRoutingPath();
  app.get(item, async (c) =>
    c.json(await getClient(adminContext(c), c.req.param('client_id')), 200, noStore),
  );
  app.put(item, async (c) => {
    const body = await readJsonObject(c.req.raw);
    return c.json(await updateClient(adminContext(c), c.req.param('client_id'), body), 200, noStore);
  });
  app.delete(item, async (c) => {
    await deleteClient(adminContext(c), c.req.param('client_id'));
    return c.body(null, 204, noStore);
  });
  allowOnly(app, item, ['GET', 'PUT', 'DELETE']);

  const secret = rotateRoute.getRoutingPath();
  app.post(secret, async (c) =>
    c.json(await rotateClientSecret(adminContext(c), c.req.param('client_id')), 200, noStore),
  );
  allowOnly(app, secret, ['POST']);
}
