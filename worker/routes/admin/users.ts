/** /admin/api/users: list and search, create, read, update, delete, reset the password. */
import type { OpenAPIHono } from '@hono/zod-openapi';
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
  readErrors,
  writeErrors,
} from './common';

const USERS = `${ADMIN_API}/users`;
const UserIdParam = pathParam('id', 'The user id');

const listRoute = adminRoute('read', {
  method: 'get',
  path: USERS,
  summary: 'List users',
  description: 'Newest first.',
  request: {
    query: PageQuerySchema.extend({
      q: z.string().optional().meta({ description: 'Case-insensitive substring of username, email or name' }),
    }),
  },
  responses: { 200: jsonResponse('A page of users', UserPageSchema), ...readErrors },
});

export const createUserRoute = adminRoute('write', {
  method: 'post',
  path: USERS,
  summary: 'Create a user',
  description: 'The password hash is never returned. 409 when the username is taken (case-insensitively).',
  request: { body: jsonBody(UserCreateSchema) },
  responses: { 201: jsonResponse('Created', UserViewSchema), ...writeErrors },
});

const getRoute = adminRoute('read', {
  method: 'get',
  path: `${USERS}/{id}`,
  summary: 'Read a user',
  request: { params: UserIdParam },
  responses: { 200: jsonResponse('The user', UserViewSchema), ...itemErrors },
});

const updateRoute = adminRoute('write', {
  method: 'put',
  path: `${USERS}/{id}`,
  summary: 'Update a user',
  description:
    'Only the fields sent change. Disabling the user or setting a password ends their sessions at once; those and taking administration away revoke their grants (refresh tokens and access tokens). You cannot disable or demote yourself (400).',
  request: { params: UserIdParam, body: jsonBody(UserUpdateSchema) },
  responses: { 200: jsonResponse('Updated', UserViewSchema), ...writeErrors },
});

const deleteRoute = adminRoute('write', {
  method: 'delete',
  path: `${USERS}/{id}`,
  summary: 'Delete a user',
  description: 'Ends their sessions and revokes their grants at once. You cannot delete yourself (400).',
  request: { params: UserIdParam },
  responses: { 204: { description: 'Deleted' }, ...writeErrors },
});

const passwordRoute = adminRoute('write', {
  method: 'post',
  path: `${USERS}/{id}/password`,
  summary: "Reset a user's password",
  description: 'Ends every session of the user and revokes their grants (refresh tokens and access tokens).',
  request: { params: UserIdParam, body: jsonBody(PasswordResetSchema) },
  responses: { 200: jsonResponse('The user', UserViewSchema), ...writeErrors },
});

export function registerAdminUserRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(listRoute, async (c) =>
    answer(c.json(await listUsers(adminContext(c), adminQuery(c)), 200, noStore)),
  );
  app.openapi(createUserRoute, async (c) =>
    answer(c.json(await createUser(adminContext(c), c.req.valid('json')), 201, noStore)),
  );
  allowOnly(app, USERS, ['GET', 'POST']);

  app.openapi(getRoute, async (c) =>
    answer(c.json(await getUser(adminContext(c), c.req.param('id')), 200, noStore)),
  );
  app.openapi(updateRoute, async (c) =>
    answer(c.json(await updateUser(adminContext(c), c.req.param('id'), c.req.valid('json')), 200, noStore)),
  );
  app.openapi(deleteRoute, async (c) => {
    await deleteUser(adminContext(c), c.req.param('id'));
    return answer(c.body(null, 204, noStore));
  });
  allowOnly(app, getRoute.getRoutingPath(), ['GET', 'PUT', 'DELETE']);

  app.openapi(passwordRoute, async (c) =>
    answer(
      c.json(await resetUserPassword(adminContext(c), c.req.param('id'), c.req.valid('json')), 200, noStore),
    ),
  );
  allowOnly(app, passwordRoute.getRoutingPath(), ['POST']);
}
