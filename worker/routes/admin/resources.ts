/** /admin/api/resources: APIs (protected resources, RFC 8707 / RFC 9728) defined at run time, beside the configured ones (read-only). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import * as resources from '../../../src/admin/resources';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API, REGISTRY_CHANGE_APPLIES } from './common';

export function registerAdminResourceRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/resources`,
    param: ['id', 'The API id (for one from configuration: its identifier)'],
    item: resources.ResourceViewSchema,
    list: {
      summary: 'List resources',
      description:
        'Newest first; the first page starts with the configured APIs (source: configuration, read_only: true).',
      reply: ['A page of resources', resources.ResourcePageSchema],
      run: resources.listResources,
    },
    create: {
      summary: 'Define an API',
      description: `Its scopes must be defined through /admin/api/scopes and belong to no other API; tokens for them carry its identifier as aud. ${REGISTRY_CHANGE_APPLIES}`,
      body: resources.ResourceInputSchema,
      reply: 'Defined',
      run: resources.createResource,
    },
    get: { summary: 'Read an API', reply: 'The API', run: resources.getResource },
    update: {
      summary: 'Replace an API',
      description: `409 for one that is read-only. ${REGISTRY_CHANGE_APPLIES}`,
      // Checked by the operation: an API from configuration is 409 whatever the body.
      body: 'ResourceInput',
      reply: 'Replaced',
      run: resources.updateResource,
    },
    remove: {
      summary: 'Delete an API',
      description: `Its scopes stay defined, of no particular API. ${REGISTRY_CHANGE_APPLIES}`,
      reply: 'Deleted',
      run: resources.deleteResource,
    },
  });
}
