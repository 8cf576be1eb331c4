/** /admin/api/clients: list and search, create, read, update, delete, rotate the secret. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  ClientCreateSchema,
  ClientPageSchema,
  ClientQuerySchema,
  ClientSecretSchema,
  ClientUpdateSchema,
  ClientViewSchema,
  ClientWithSecretSchema,
} from '../../../src/admin/client-schemas';
import * as clients from '../../../src/admin/clients';
import type { AppEnv } from '../../context';
import { registerCollection, registerPath } from './collection';
import { ADMIN_API } from './common';

const CLIENTS = `${ADMIN_API}/clients`;
const ClientIdParam = ['client_id', 'The client_id'] as const;

export function registerAdminClientRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.register('AdminClientCreate', ClientCreateSchema);
  app.openAPIRegistry.register('AdminClientUpdate', ClientUpdateSchema);
  registerCollection(app, {
    path: CLIENTS,
    param: ClientIdParam,
    item: ClientViewSchema,
    list: {
      summary: 'List clients',
      description:
        'Newest first. The bootstrap admin client is configuration, not a stored client: it is not listed.',
      filters: ClientQuerySchema.shape,
      reply: ['A page of clients', ClientPageSchema],
      run: clients.listClients,
    },
    create: {
      summary: 'Create a client',
      description:
        'RFC 7591 field names (unknown fields are ignored), plus first_party and enabled. Scope may include admin. A confidential client gets client_secret, shown only in this response.',
      // Checked by the operation (first_party and enabled, then validateClientMetadata: RFC 7591 rules).
      body: 'AdminClientCreate',
      reply: ['Created', ClientWithSecretSchema],
      run: clients.createClient,
    },
    get: {
      summary: 'Read a client',
      description: 'Also the bootstrap admin client (bootstrap: true, read-only). Never a secret.',
      reply: 'The client',
      run: clients.getClient,
    },
    update: {
      summary: 'Update a client',
      description:
        'Fields sent replace the current values, null returns a field to its default, omitted fields stay. enabled: false makes its tokens inactive (at once here, within 10 s in other isolates). The bootstrap admin client answers 403.',
      // Checked by the operation, as for a new client.
      body: 'AdminClientUpdate',
      reply: ['Updated', ClientWithSecretSchema],
      run: clients.updateClient,
    },
    remove: {
      summary: 'Delete a client',
      description:
        'Its tokens become inactive; nothing else is revoked. The bootstrap admin client answers 403.',
      reply: 'Deleted',
      run: clients.deleteClient,
    },
  });

  registerPath(app, {
    method: 'post',
    path: `${CLIENTS}/{client_id}/secret`,
    param: ClientIdParam,
    summary: 'Rotate the client secret',
    description:
      'A new secret, shown only in this response; the old one stops working (at once here, within 10 s in other isolates). Public clients have none (400).',
    reply: ['The new secret', ClientSecretSchema],
    run: (ctx, { id }) => clients.rotateClientSecret(ctx, id),
  });
}
