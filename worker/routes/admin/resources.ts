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
import { REGISTRY_CACHE_TTL_SECS } from '../../../src/oauth/scopes/stored-registry';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API, querySchema } from './common';

const TAKES_EFFECT = `A change applies at once in this isolate, within ${REGISTRY_CACHE_TTL_SECS} s everywhere.`;

export function registerAdminResourceRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/resources`,
    param: ['id', 'The API id (for one from configuration: its identifier)'],
    list: {
      summary: 'List resources',
      description:
        'Newest first; the first page starts with the configured APIs (source: configuration, read_only: true).',
      query: querySchema(PageQuerySchema),
      reply: ['A page of resources', ResourcePageSchema],
      run: (ctx, { query }) => listResources(ctx, query),
    },
    create: {
      summary: 'Define an API',
      description: `Its scopes must be defined through /admin/api/scopes and belong to no other API; tokens for them carry its identifier as aud. ${TAKES_EFFECT}`,
      body: ResourceInputSchema,
      reply: ['Defined', ResourceViewSchema],
      run: (ctx, { body }) => createResource(ctx, body),
    },
    get: {
      summary: 'Read an API',
      reply: ['The API', ResourceViewSchema],
      run: (ctx, { id }) => getResource(ctx, id),
    },
    update: {
      summary: 'Replace an API',
      description: `409 for one that is read-only. ${TAKES_EFFECT}`,
      // Checked by the operation: an API from configuration is 409 whatever the body.
      body: 'ResourceInput',
      reply: ['Replaced', ResourceViewSchema],
      run: (ctx, { id, body }) => updateResource(ctx, id, body),
    },
    remove: {
      summary: 'Delete an API',
      description: `Its scopes stay defined, of no particular API. ${TAKES_EFFECT}`,
      reply: 'Deleted',
      run: (ctx, { id }) => deleteResource(ctx, id),
    },
  });
}
