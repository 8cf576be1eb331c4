/** /admin/api/users: list and search, create, read, update, delete, reset the password. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { PageQuerySchema } from '../../../src/admin/paging';
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  PasswordResetSchema,
  resetUserPassword,
  UserCreateSchema,
  UserPageSchema,
  UserUpdateSchema,
  UserViewSchema,
  updateUser,
} from '../../../src/admin/users';
import { adminContext } from '../../admin-context';
import type { AppEnv } from '../../context';
import { readJsonObject } from '../../middleware/body';
import {
  ADMIN_API,
  ADMIN_TAG,
  adminQuery,
  allowOnly,
  itemErrors,
  jsonBody,
  jsonResponse,
  noStore,
  pathParam,
  readErrors,
  readSecurity,
  writeErrors,
  writeSecurity,
} from './common';

const USERS = `${ADMIN_API}/users`;
const UserIdParam = pathParam('id', 'The user id');

const listRoute = createRoute({
  method: 'get',
  path: USERS,
  tags: [ADMIN_TAG],
  summary: 'List users',
  description: 'Newest first.',
  security: readSecurity,
  request: {
    query: PageQuerySchema.extend({
      q: z.string().optional().meta({ description: 'Case-insensitive substring of username, email or name' }),
    }),
  },
  responses: { 200: jsonResponse('A page of users', UserPageSchema), ...readErrors },
});

export const createUserRoute = createRoute({
  method: 'post',
  path: USERS,
  tags: [ADMIN_TAG],
  summary: 'Create a user',
  description: 'The password hash is never returned. 409 when the username is taken (case-insensitively).',
  security: writeSecurity,
  request: { body: jsonBody(UserCreateSchema) },
  responses: { 201: jsonResponse('Created', UserViewSchema), ...writeErrors },
});

const getRoute = createRoute({
  method: 'get',
  path: `${USERS}/{id}`,
  tags: [ADMIN_TAG],
  summary: 'Read a user',
  security: readSecurity,
  request: { params: UserIdParam },
  responses: { 200: jsonResponse('The user', UserViewSchema), ...itemErrors },
});

const updateRoute = createRoute({
  method: 'put',
  path: `${USERS}/{id}`,
  tags: [ADMIN_TAG],
  summary: 'Update a user',
  description:
    'Only the fields sent change. Disabling the user or setting a password ends their sessions at once. You cannot disable or demote yourself (400).',
  security: writeSecurity,
  request: { params: UserIdParam, body: jsonBody(UserUpdateSchema) },
  responses: { 200: jsonResponse('Updated', UserViewSchema), ...writeErrors },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: `${USERS}/{id}`,
  tags: [ADMIN_TAG],
  summary: 'Delete a user',
  description: 'Ends their sessions at once. You cannot delete yourself (400).',
  security: writeSecurity,
  request: { params: UserIdParam },
  responses: { 204: { description: 'Deleted' }, ...writeErrors },
});

const passwordRoute = createRoute({
  method: 'post',
  path: `${USERS}/{id}/password`,
  tags: [ADMIN_TAG],
  summary: "Reset a user's password",
  description: 'Ends every session of the user.',
  security: writeSecurity,
  request: { params: UserIdParam, body: jsonBody(PasswordResetSchema) },
  responses: { 200: jsonResponse('The user', UserViewSchema), ...writeErrors },
});

export function registerAdminUserRoutes(app: OpenAPIHono<AppEnv>): void {
  for (const route of [listRoute, createUserRoute, getRoute, updateRoute, deleteRoute, passwordRoute]) {
    app.openAPIRegistry.registerPath(route);
  }
  app.get(USERS, async (c) => c.json(await listUsers(adminContext(c), adminQuery(c)), 200, noStore));
  app.post(USERS, async (c) => {
    const body = await readJsonObject(c.req.raw);
    return c.json(await createUser(adminContext(c), body), 201, noStore);
  });
  allowOnly(app, USERS, ['GET', 'POST']);

  const item = getRoute.getRoutingPath();
  app.get(item, async (c) => c.json(await getUser(adminContext(c), c.req.param('id')), 200, noStore));
  app.put(item, async (c) => {
    const body = await readJsonObject(c.req.raw);
    return c.json(await updateUser(adminContext(c), c.req.param('id'), body), 200, noStore);
  });
  app.delete(item, async (c) => {
    await deleteUser(adminContext(c), c.req.param('id'));
    return c.body(null, 204, noStore);
  });
  allowOnly(app, item, ['GET', 'PUT', 'DELETE']);

  const password = passwordRoute.getRoutingPath();
  app.post(password, async (c) => {
    const body = await readJsonObject(c.req.raw);
    return c.json(await resetUserPassword(adminContext(c), c.req.param('id'), body), 200, noStore);
  });
  allowOnly(app, password, ['POST']);
}
