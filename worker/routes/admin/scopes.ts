/** /admin/api/scopes: scopes defined at run time, beside the built-in and configured ones (read-only). */
import type { OpenAPIHono } from '@hono/zod-openapi';
import * as scopes from '../../../src/admin/scopes';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API, REGISTRY_CHANGE_APPLIES } from './common';

export function registerAdminScopeRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/scopes`,
    param: ['name', 'The scope name'],
    item: scopes.ScopeViewSchema,
    list: {
      summary: 'List scopes',
      description:
        'Newest first; the first page starts with the built-in and configured scopes (source, read_only: true).',
      reply: ['A page of scopes', scopes.ScopePageSchema],
      run: scopes.listScopes,
    },
    create: {
      summary: 'Define a scope',
      description: `Built-in scopes (admin among them) cannot be defined (400); a name from configuration or one already defined is 409. ${REGISTRY_CHANGE_APPLIES}`,
      body: scopes.ScopeCreateSchema,
      reply: 'Defined',
      run: scopes.createScope,
    },
    get: { summary: 'Read a scope', reply: 'The scope', run: scopes.getScope },
    update: {
      summary: 'Replace a scope',
      description: `409 for one that is read-only. ${REGISTRY_CHANGE_APPLIES}`,
      body: scopes.ScopeUpdateSchema,
      reply: 'Replaced',
      run: scopes.updateScope,
    },
    remove: {
      summary: 'Delete a scope',
      description: `409 naming the clients or APIs that still hold the scope (clients found by a bounded scan of the newest 10000). ${REGISTRY_CHANGE_APPLIES}`,
      reply: 'Deleted',
      run: scopes.deleteScope,
    },
  });
}
