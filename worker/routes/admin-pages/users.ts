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
import { UserCreatePage, type UserFormValues, UserListPage, UserPage } from '../../../templates/admin/users';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import {
  checked,
  errorStatus,
  formChrome,
  formError,
  listing,
  pageChrome,
  readPageForm,
  refusedForm,
  render,
  seeOther,
  text,
} from './common';
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

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

function formValues(form: FormParams): UserFormValues {
  return {
    username: text(form, 'username'),
    email: text(form, 'email'),
    name: text(form, 'name'),
    role: text(form, 'role'),
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

function registerListAndCreate(app: Hono<AppEnv>): void {
  app.get('/admin/users', async (c) => {
    const { query, props } = await listing(c, 'users', listUsers);
    return render(c, UserListPage({ ...props, q: query.q ?? '' }));
  });

  app.get('/admin/users/new', async (c) => {
    const { chrome } = await pageChrome(c, 'users');
    return render(c, UserCreatePage({ chrome, values: NEW_USER, error: null }));
  });

  app.post('/admin/users', async (c) => {
    const form = await readPageForm(c);
    const values = formValues(form);
    try {
      const body = {
        username: values.username,
        password: form.get('password') ?? '',
        ...profileBody(values),
      };
      const user = await createUser(adminContext(c), body);
      return seeOther(c, userPath(user.id), { notice: `User ${user.username} created.` });
    } catch (error) {
      return refusedForm(c, 'users', error, LABELS, (chrome, formError) =>
        UserCreatePage({ chrome, values, error: formError }),
      );
    }
  });
}

function registerItem(app: Hono<AppEnv>): void {
  app.get('/admin/users/:id', (c) => showUser(c));

  app.post('/admin/users/:id', async (c) => {
    const id = c.req.param('id');
    const values = formValues(await readPageForm(c));
    try {
      const body = { username: values.username, enabled: values.enabled, ...profileBody(values) };
      await updateUser(adminContext(c), id, body);
      return seeOther(c, userPath(id), { notice: 'Changes saved.' });
    } catch (error) {
      formError(error, LABELS); // rethrows a 404 or a server error
      return showUser(c, { values, error });
    }
  });

  app.post('/admin/users/:id/password', async (c) => {
    const id = c.req.param('id');
    const password = (await readPageForm(c)).get('password') ?? '';
    try {
      await resetUserPassword(adminContext(c), id, { password });
      return seeOther(c, userPath(id), {
        notice: 'Password set; the user was signed out everywhere and their apps’ access was revoked.',
      });
    } catch (error) {
      formError(error, LABELS);
      return showUser(c, { passwordError: error });
    }
  });

  registerConfirmedAction(app, '/admin/users/:id/delete', {
    section: 'users',
    async describe(c) {
      const user = await getUser(adminContext(c), c.req.param('id') ?? '');
      return {
        title: `Delete ${user.username}?`,
        message:
          'The account and its sessions end at once; its refresh tokens stop working. To end its access tokens before they expire, revoke its grants first. This cannot be undone.',
        confirmLabel: 'Delete user',
        cancelHref: userPath(user.id),
      };
    },
    async perform(c) {
      const user = await getUser(adminContext(c), c.req.param('id') ?? '');
      await deleteUser(adminContext(c), user.id);
      return seeOther(c, '/admin/users', { notice: `User ${user.username} deleted.` });
    },
  });

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
  registerListAndCreate(app);
  registerItem(app);
}
