/** /admin/api/users: list and search, create, read, update, delete, reset the password or the second factors. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { getUserFactors, resetUserFactors, UserFactorsViewSchema } from '../../../src/admin/user-factors';
import * as users from '../../../src/admin/users';
import type { AppEnv } from '../../context';
import { registerCollection, registerPath } from './collection';
import { ADMIN_API } from './common';

const USERS = `${ADMIN_API}/users`;
const UserIdParam = ['id', 'The user id'] as const;

export function registerAdminUserRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: USERS,
    param: UserIdParam,
    item: users.UserViewSchema,
    list: {
      summary: 'List users',
      description: 'Newest first.',
      filters: users.UserQuerySchema.shape,
      reply: ['A page of users', users.UserPageSchema],
      run: users.listUsers,
    },
    create: {
      summary: 'Create a user',
      description:
        'The password hash is never returned. 409 when the username is taken (case-insensitively).',
      body: users.UserCreateSchema,
      reply: 'Created',
      run: users.createUser,
    },
    get: { summary: 'Read a user', reply: 'The user', run: users.getUser },
    update: {
      summary: 'Update a user',
      description:
        'Only the fields sent change. Disabling the user or setting a password ends their sessions at once; those and taking administration away revoke their grants (refresh tokens and access tokens). You cannot disable or demote yourself (400).',
      body: users.UserUpdateSchema,
      reply: 'Updated',
      run: users.updateUser,
    },
    remove: {
      summary: 'Delete a user',
      description: 'Ends their sessions and revokes their grants at once. You cannot delete yourself (400).',
      reply: 'Deleted',
      run: users.deleteUser,
    },
  });

  registerPath(app, {
    method: 'post',
    path: `${USERS}/{id}/password`,
    param: UserIdParam,
    summary: "Reset a user's password",
    description:
      'Ends every session of the user and revokes their grants (refresh tokens and access tokens).',
    body: users.PasswordResetSchema,
    reply: ['The user', users.UserViewSchema],
    run: (ctx, { id, body }) => users.resetUserPassword(ctx, id, body),
  });

  registerPath(
    app,
    {
      method: 'get',
      path: `${USERS}/{id}/factors`,
      param: UserIdParam,
      summary: "Read a user's second factors",
      description:
        'TOTP (confirmed or not), recovery codes left, passkeys (name, dates, device type). Never a secret, a recovery code or a public key.',
      reply: ["The user's factors", UserFactorsViewSchema],
      run: (ctx, { id }) => getUserFactors(ctx, id),
    },
    {
      method: 'delete',
      path: `${USERS}/{id}/factors`,
      param: UserIdParam,
      summary: "Reset a user's second factors",
      description:
        'Deletes every second factor and recovery code of the user, ends their sessions and revokes their grants (refresh tokens and access tokens). The user signs in with their password alone and may enrol again. Audited; event mfa_removed.',
      reply: 'Reset',
      run: async (ctx, { id }) => {
        await resetUserFactors(ctx, id);
      },
    },
  );
}
