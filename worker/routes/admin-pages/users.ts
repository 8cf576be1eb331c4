/** /admin/users: list and search, create, one user (edit, password reset), delete (confirmed first). */
import type { Context, Hono } from 'hono';
import {
  createUser,
  deleteUser,
  getUser,
  listUsers,
  resetUserPassword,
  type UserView,
  updateUser,
} from '../../../src/admin';
import { getUserFactors, resetUserFactors } from '../../../src/admin/user-factors';
import type { FormParams } from '../../../src/oauth/form';
import { USER_PAGES, type UserFormValues, UserPage, userPath } from '../../../templates/admin/users';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { type CollectionRoutes, registerCollectionPages } from './collection';
import { checked, errorStatus, formChrome, formError, formRoute, render, seeOther, texts } from './common';
import { registerConfirmedAction } from './confirm';

const LABELS: Record<string, string> = {
  username: 'Username',
  password: 'Password',
  email: 'E-mail',
  name: 'Name',
  role: 'Role',
  enabled: 'Enabled',
  email_verified: 'E-mail verified',
  id: 'User',
};

const NEW_USER: UserFormValues = {
  username: '',
  email: '',
  name: '',
  role: 'user',
  enabled: true,
  email_verified: false,
};

function formValues(form: FormParams): UserFormValues {
  return {
    ...texts(form, ['username', 'email', 'name', 'role']),
    enabled: checked(form, 'enabled'),
    email_verified: checked(form, 'email_verified'),
  };
}

function viewValues(user: UserView): UserFormValues {
  return {
    username: user.username,
    email: user.email ?? '',
    name: user.name ?? '',
    role: user.role,
    enabled: user.enabled,
    email_verified: user.email_verified,
  };
}

/** The profile fields as the admin API's body; empty e-mail and name remove them. */
function profileBody(values: UserFormValues): Record<string, unknown> {
  return {
    email: values.email === '' ? null : values.email,
    name: values.name === '' ? null : values.name,
    role: values.role,
    email_verified: values.email_verified,
  };
}

interface UserPageState {
  values?: UserFormValues;
  error?: unknown;
  passwordError?: unknown;
}

async function showUser(c: Context<AppEnv>, state: UserPageState = {}): Promise<Response> {
  const user = await getUser(adminContext(c), c.req.param('id') ?? '');
  const factors = await getUserFactors(adminContext(c), user.id);
  const refused = state.error ?? state.passwordError;
  const pageChromeValue = await formChrome(c, 'users', refused !== undefined);
  const actor = c.get('admin');
  const page = UserPage({
    chrome: pageChromeValue,
    user,
    values: state.values ?? viewValues(user),
    error: state.error === undefined ? null : formError(state.error, LABELS),
    passwordError: state.passwordError === undefined ? null : formError(state.passwordError, LABELS),
    self: actor.actorType === 'user' && actor.actorId === user.id,
    factors,
  });
  return render(c, page, refused === undefined ? 200 : errorStatus(refused));
}

/** The posted create form: the user's values and the initial password (never shown again). */
type NewUserValues = UserFormValues & { password: string };

/** The user pages; one user's page also resets the password and the second factors (below). */
const USER_ROUTES: CollectionRoutes<UserView, NewUserValues> = {
  section: 'users',
  path: '/admin/users',
  labels: LABELS,
  blank: { ...NEW_USER, password: '' },
  read: (_c, form) => ({ ...formValues(form), password: form.get('password') ?? '' }),
  show: (c, values, error) => showUser(c, { values: values ?? undefined, error: error ?? undefined }),
  list: listUsers,
  get: getUser,
  create: (ctx, values) =>
    createUser(ctx, { username: values.username, password: values.password, ...profileBody(values) }),
  update: (ctx, id, values) =>
    updateUser(ctx, id, { username: values.username, enabled: values.enabled, ...profileBody(values) }),
  created: (user) => `User ${user.username} created.`,
  deletion: {
    confirm: (user) => ({
      title: `Delete ${user.username}?`,
      message:
        'The account and its sessions end at once; its refresh tokens stop working. To end its access tokens before they expire, revoke its grants first. This cannot be undone.',
      confirmLabel: 'Delete user',
    }),
    async perform(ctx, id) {
      const user = await getUser(ctx, id);
      await deleteUser(ctx, user.id);
      return `User ${user.username} deleted.`;
    },
  },
  recordPath: (user) => userPath(user.id),
  listPage: (props, query) => USER_PAGES.List({ ...props, q: query.q ?? '' }),
  createPage: (_c, props) => USER_PAGES.Create(props),
};

function registerUserActions(app: Hono<AppEnv>): void {
  app.post(
    '/admin/users/:id/password',
    formRoute({
      labels: LABELS,
      read: (_c, form) => form.get('password') ?? '',
      async apply(c, password) {
        const id = c.req.param('id') ?? '';
        await resetUserPassword(adminContext(c), id, { password });
        const notice = 'Password set; the user was signed out everywhere and their apps’ access was revoked.';
        return { path: userPath(id), flash: { notice } };
      },
      showAgain: (c, _password, error) => showUser(c, { passwordError: error }),
    }),
  );

  registerConfirmedAction(app, '/admin/users/:id/factors/reset', {
    section: 'users',
    async describe(c) {
      const user = await getUser(adminContext(c), c.req.param('id') ?? '');
      return {
        title: `Reset the second factors of ${user.username}?`,
        message:
          'Their authenticator app, recovery codes and passkeys are deleted; they are signed out everywhere and their apps’ access is revoked. They then sign in with their password alone and may set up second factors again.',
        confirmLabel: 'Reset second factors',
        cancelHref: userPath(user.id),
      };
    },
    async perform(c) {
      const id = c.req.param('id') ?? '';
      await resetUserFactors(adminContext(c), id);
      return seeOther(c, userPath(id), {
        notice:
          'Second factors reset; the user was signed out everywhere and their apps’ access was revoked.',
      });
    },
  });
}

export function registerUserPages(app: Hono<AppEnv>): void {
  registerCollectionPages(app, USER_ROUTES);
  registerUserActions(app);
}
