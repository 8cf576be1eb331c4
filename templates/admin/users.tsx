/** The user pages: the list (search, paging), the create form, and one user (edit, password reset, actions). */
import type { UserView } from '../../src/admin';
import type { UserFactorsView } from '../../src/admin/user-factors';
import {
  Badge,
  Checkbox,
  DeleteLink,
  DetailsPanel,
  EditSection,
  EnabledBadge,
  ErrorSummary,
  type FormError,
  FormSection,
  SelectField,
  TextField,
  Time,
} from './components';
import { CreatePage, type ListingProps, SearchListPage } from './frames';
import { type AdminChrome, AdminLayout } from './layout';
import { UserFactorsSection } from './user-factors';

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

export interface UserListPageProps extends ListingProps<UserView> {
  q: string;
}

export function UserListPage(props: UserListPageProps) {
  return (
    <SearchListPage
      chrome={props.chrome}
      title="Users"
      newHref="/admin/users/new"
      newLabel="New user"
      searchLabel="Search by username, e-mail or name"
      q={props.q}
      caption="Users"
      columns={['Username', 'Name', 'E-mail', 'Role', 'Status', 'Created']}
      empty="No users yet."
      noMatch="No user matches the search."
      count={props.items.length}
      path="/admin/users"
      page={props}
    >
      {props.items.map((user) => (
        <tr>
          <td>
            <a href={`/admin/users/${encodeURIComponent(user.id)}`}>{user.username}</a>
          </td>
          <td>{user.name ?? '—'}</td>
          <td>{user.email ?? '—'}</td>
          <td>{user.role === 'admin' ? <Badge tone="warn">admin</Badge> : 'user'}</td>
          <td>
            <EnabledBadge enabled={user.enabled} />
          </td>
          <td>
            <Time secs={user.created_at} />
          </td>
        </tr>
      ))}
    </SearchListPage>
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
    <CreatePage
      chrome={props.chrome}
      title="New user"
      listPath="/admin/users"
      listLabel="Users"
      error={props.error}
      submitLabel="Create user"
    >
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
    </CreatePage>
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
  /** The user's second factors. */
  factors: UserFactorsView;
}

export function UserPage(props: UserPageProps) {
  const { user } = props;
  const base = `/admin/users/${encodeURIComponent(user.id)}`;
  return (
    <AdminLayout chrome={props.chrome} title={user.username} back={{ href: '/admin/users', label: 'Users' }}>
      <ErrorSummary error={props.error ?? props.passwordError} />
      <DetailsPanel>
        <dl class="facts">
          <dt>User ID</dt>
          <dd>
            <code>{user.id}</code>
          </dd>
          <dt>Status</dt>
          <dd>
            <EnabledBadge enabled={user.enabled} />{' '}
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
          {!props.self && <DeleteLink path={base} />}
        </div>
      </DetailsPanel>
      <UserFactorsSection userId={user.id} factors={props.factors} />
      <EditSection
        intro={
          props.self && (
            <p class="muted">
              This is your own account: you cannot disable it, remove its admin role or delete it.
            </p>
          )
        }
        path={base}
        csrfToken={props.chrome.csrfToken}
      >
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
      </EditSection>
      <FormSection
        id="reset"
        title="Reset password"
        intro={
          <p class="muted">
            Sets a new password, ends every session of the user and revokes their apps’ access.
          </p>
        }
        action={`${base}/password`}
        csrfToken={props.chrome.csrfToken}
        submitLabel="Set password"
      >
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
      </FormSection>
    </AdminLayout>
  );
}
