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
import { REGISTRY_CACHE_TTL_SECS } from '../../../src/oauth/scopes/stored-registry';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API, querySchema } from './common';

const TAKES_EFFECT = `A change applies at once in this isolate, within ${REGISTRY_CACHE_TTL_SECS} s everywhere.`;

export function registerAdminScopeRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/scopes`,
    param: ['name', 'The scope name'],
    list: {
      summary: 'List scopes',
      description:
        'Newest first; the first page starts with the built-in and configured scopes (source, read_only: true).',
      query: querySchema(PageQuerySchema),
      reply: ['A page of scopes', ScopePageSchema],
      run: (ctx, { query }) => listScopes(ctx, query),
    },
    create: {
      summary: 'Define a scope',
      description: `Built-in scopes (admin among them) cannot be defined (400); a name from configuration or one already defined is 409. ${TAKES_EFFECT}`,
      body: ScopeCreateSchema,
      reply: ['Defined', ScopeViewSchema],
      run: (ctx, { body }) => createScope(ctx, body),
    },
    get: {
      summary: 'Read a scope',
      reply: ['The scope', ScopeViewSchema],
      run: (ctx, { id }) => getScope(ctx, id),
    },
    update: {
      summary: 'Replace a scope',
      description: `409 for one that is read-only. ${TAKES_EFFECT}`,
      body: ScopeUpdateSchema,
      reply: ['Replaced', ScopeViewSchema],
      run: (ctx, { id, body }) => updateScope(ctx, id, body),
    },
    remove: {
      summary: 'Delete a scope',
      description: `409 naming the clients or APIs that still hold the scope (clients found by a bounded scan of the newest 10000). ${TAKES_EFFECT}`,
      reply: 'Deleted',
      run: (ctx, { id }) => deleteScope(ctx, id),
    },
  });
}
