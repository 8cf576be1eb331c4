/** /admin/api/denylist: entries by ip, user, username, email or client, with optional expiry. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  addDenyEntry,
  DenyEntryCreateSchema,
  DenyEntryPageSchema,
  DenyEntryViewSchema,
  DenylistQuerySchema,
  getDenyEntry,
  listDenylist,
  removeDenyEntry,
} from '../../../src/admin/denylist';
import { PageQuerySchema } from '../../../src/admin/paging';
import { DENYLIST_CACHE_TTL_SECS } from '../../../src/denylist';
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

const DENYLIST = `${ADMIN_API}/denylist`;
const EntryIdParam = pathParam('id', 'The entry id');
const ENFORCEMENT = `Enforced before authentication: a denied ip gets 403 on every route but /health and /ready; a denied client gets invalid_client and its tokens are inactive; a denied user, username or email cannot sign in (the wrong-password answer). Changes apply at once in this isolate, within ${DENYLIST_CACHE_TTL_SECS} s everywhere.`;

const listRoute = adminRoute('read', {
  method: 'get',
  path: DENYLIST,
  summary: 'List denylist entries',
  description: 'Newest first, expired entries included (active: false) until the next addition sweeps them.',
  request: { query: querySchema(PageQuerySchema.extend(DenylistQuerySchema.shape)) },
  responses: { 200: jsonResponse('A page of entries', DenyEntryPageSchema), ...readErrors },
});

const addRoute = adminRoute('write', {
  method: 'post',
  path: DENYLIST,
  summary: 'Add a denylist entry',
  description: `${ENFORCEMENT} A user, username or email entry also ends that user's sessions. 409 when an entry of the same kind and value exists.`,
  request: { body: jsonBody(DenyEntryCreateSchema) },
  responses: { 201: jsonResponse('Added', DenyEntryViewSchema), ...writeErrors },
});

const getRoute = adminRoute('read', {
  method: 'get',
  path: `${DENYLIST}/{id}`,
  summary: 'Read a denylist entry',
  request: { params: EntryIdParam },
  responses: { 200: jsonResponse('The entry', DenyEntryViewSchema), ...itemErrors },
});

const deleteRoute = adminRoute('write', {
  method: 'delete',
  path: `${DENYLIST}/{id}`,
  summary: 'Remove a denylist entry',
  request: { params: EntryIdParam },
  responses: { 204: { description: 'Removed' }, ...writeErrors },
});

export function registerAdminDenylistRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) =>
    answer(c.json(await listDenylist(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  app.openapi(addRoute, async (c) =>
    answer(c.json(await addDenyEntry(adminContext(c), c.req.valid('json')), 201, noStore)),
  );
  allowOnly(app, DENYLIST, ['GET', 'POST']);

  app.openapi(getRoute, async (c) =>
    answer(c.json(await getDenyEntry(adminContext(c), c.req.param('id')), 200, noStore)),
  );
  app.openapi(deleteRoute, async (c) => {
    await removeDenyEntry(adminContext(c), c.req.param('id'));
    return answer(c.body(null, 204, noStore));
  });
  allowOnly(app, getRoute.getRoutingPath(), ['GET', 'DELETE']);
}
