/** The user pages: the list (search, paging), the create form, and one user (edit, password reset, actions). */
import type { UserView } from '../../src/admin';
import {
  Badge,
  Checkbox,
  CsrfInput,
  ErrorSummary,
  type FormError,
  Pager,
  SelectField,
  TableFrame,
  TextField,
  Time,
} from './components';
import { type AdminChrome, AdminLayout } from './layout';

/** The user form as the administrator filled it in (never the password). */
export interface UserFormValues {
  username: string;
  email: string;
  name: string;
  role: string;
  enabled: boolean;
  email_verified: boolean;
}

const ROLES = [
  { value: 'user', label: 'user' },
  { value: 'admin', label: 'admin (may use these pages and the admin API)' },
];

const PASSWORD_HINT = 'At least 8 characters, not a common password.';

export interface UserListPageProps {
  chrome: AdminChrome;
  items: UserView[];
  q: string;
  cursor: string | undefined;
  nextCursor: string | null;
}

export function UserListPage(props: UserListPageProps) {
  return (
    <AdminLayout chrome={props.chrome} title="Users">
      <form method="get" action="/admin/users" class="toolbar">
        <div class="field">
          <label for="f-q">Search by username, e-mail or name</label>
          <input id="f-q" name="q" type="search" value={props.q} maxlength={200} />
        </div>
        <button type="submit" class="secondary">
          Search
        </button>
        <span class="spacer" />
        <a class="button" href="/admin/users/new">
          New user
        </a>
      </form>
      <TableFrame
        caption="Users"
        count={props.items.length}
        empty={props.q === '' ? 'No users yet.' : 'No user matches the search.'}
      >
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Name</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((user) => (
            <tr>
              <td>
                <a href={`/admin/users/${encodeURIComponent(user.id)}`}>{user.username}</a>
              </td>
              <td>{user.name ?? '—'}</td>
              <td>{user.email ?? '—'}</td>
              <td>{user.role === 'admin' ? <Badge tone="warn">admin</Badge> : 'user'}</td>
              <td>{user.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="off">disabled</Badge>}</td>
              <td>
                <Time secs={user.created_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
      <Pager
        path="/admin/users"
        params={{ q: props.q }}
        cursor={props.cursor}
        nextCursor={props.nextCursor}
      />
    </AdminLayout>
  );
}

function ProfileFields({ values, error }: { values: UserFormValues; error: FormError | null }) {
  return (
    <>
      <TextField
        name="email"
        label="E-mail (optional)"
        type="email"
        value={values.email}
        error={error}
        maxlength={254}
      />
      <TextField name="name" label="Name (optional)" value={values.name} error={error} maxlength={200} />
      <SelectField name="role" label="Role" value={values.role} options={ROLES} error={error} />
      <fieldset>
        <legend>Options</legend>
        <Checkbox
          name="email_verified"
          label="E-mail address verified (the OpenID Connect email_verified claim)"
          checked={values.email_verified}
        />
      </fieldset>
    </>
  );
}

export interface UserCreatePageProps {
  chrome: AdminChrome;
  values: UserFormValues;
  error: FormError | null;
}

export function UserCreatePage(props: UserCreatePageProps) {
  return (
    <AdminLayout chrome={props.chrome} title="New user" back={{ href: '/admin/users', label: 'Users' }}>
      <ErrorSummary error={props.error} />
      <form method="post" action="/admin/users" class="stack panel">
        <CsrfInput token={props.chrome.csrfToken} />
        <TextField
          name="username"
          label="Username"
          hint="Letters, digits and . _ @ + - (case-insensitive)."
          value={props.values.username}
          error={props.error}
          required
          maxlength={64}
          spellcheck={false}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          hint={PASSWORD_HINT}
          value=""
          error={props.error}
          required
          autocomplete="new-password"
        />
        <ProfileFields values={props.values} error={props.error} />
        <div class="actions">
          <button type="submit">Create user</button>
          <a class="button secondary" href="/admin/users">
            Cancel
          </a>
        </div>
      </form>
    </AdminLayout>
  );
}

export interface UserPageProps {
  chrome: AdminChrome;
  user: UserView;
  values: UserFormValues;
  /** A refused profile change. */
  error: FormError | null;
  /** A refused password reset. */
  passwordError: FormError | null;
  /** The page shows the acting administrator's own account (no disabling, demoting or deleting). */
  self: boolean;
}

export function UserPage(props: UserPageProps) {
  const { user } = props;
  const base = `/admin/users/${encodeURIComponent(user.id)}`;
  return (
    <AdminLayout chrome={props.chrome} title={user.username} back={{ href: '/admin/users', label: 'Users' }}>
      <ErrorSummary error={props.error ?? props.passwordError} />
      <section class="panel" aria-labelledby="facts">
        <h2 id="facts">Details</h2>
        <dl class="facts">
          <dt>User ID</dt>
          <dd>
            <code>{user.id}</code>
          </dd>
          <dt>Status</dt>
          <dd>
            {user.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="off">disabled</Badge>}{' '}
            {user.role === 'admin' && <Badge tone="warn">admin</Badge>}
          </dd>
          <dt>Created</dt>
          <dd>
            <Time secs={user.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time secs={user.updated_at} />
          </dd>
        </dl>
        <div class="actions">
          <a class="button secondary" href={`/admin/grants?user_id=${encodeURIComponent(user.id)}`}>
            Grants
          </a>
          <a
            class="button secondary"
            href={`/admin/grants/revoke-all?user_id=${encodeURIComponent(user.id)}`}
          >
            Revoke all grants…
          </a>
          {!props.self && (
            <a class="button danger" href={`${base}/delete`}>
              Delete…
            </a>
          )}
        </div>
      </section>
      <section class="panel" aria-labelledby="edit">
        <h2 id="edit">Edit</h2>
        {props.self && (
          <p class="muted">
            This is your own account: you cannot disable it, remove its admin role or delete it.
          </p>
        )}
        <form method="post" action={base} class="stack">
          <CsrfInput token={props.chrome.csrfToken} />
          <TextField
            name="username"
            label="Username"
            value={props.values.username}
            error={props.error}
            required
            maxlength={64}
            spellcheck={false}
          />
          <ProfileFields values={props.values} error={props.error} />
          <fieldset>
            <legend>Access</legend>
            <Checkbox
              name="enabled"
              label="Enabled (disabling ends the user's sessions at once)"
              checked={props.values.enabled}
            />
          </fieldset>
          <div class="actions">
            <button type="submit">Save changes</button>
          </div>
        </form>
      </section>
      <section class="panel" aria-labelledby="reset">
        <h2 id="reset">Reset password</h2>
        <p class="muted">
          Sets a new password, ends every session of the user and revokes their apps’ access.
        </p>
        <form method="post" action={`${base}/password`} class="stack">
          <CsrfInput token={props.chrome.csrfToken} />
          <TextField
            name="password"
            label="New password"
            type="password"
            hint={PASSWORD_HINT}
            value=""
            error={props.passwordError}
            required
            autocomplete="new-password"
          />
          <div class="actions">
            <button type="submit">Set password</button>
          </div>
        </form>
      </section>
    </AdminLayout>
  );
}
