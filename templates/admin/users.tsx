/** The user pages: the list (search, paging), the create form, and one user (edit, password reset, actions). */
import type { UserView } from '../../src/admin';
import type { UserFactorsView } from '../../src/admin/user-factors';
import {
  Badge,
  DeleteLink,
  DetailsPanel,
  EditSection,
  EnabledBadge,
  ErrorSummary,
  FactList,
  type FormError,
  FormSection,
  OptionBoxes,
  SelectField,
  TextField,
  Time,
} from './components';
import { listAndCreatePages } from './frames';
import { GrantLinks } from './grants';
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

/** One user's page. */
export const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

const PASSWORD_HINT = 'At least 8 characters, not a common password.';

/** A user's role: a badge for an administrator. */
function RoleBadge({ user }: { user: UserView }) {
  return <>{user.role === 'admin' ? <Badge tone="warn">admin</Badge> : 'user'}</>;
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
      <OptionBoxes
        legend="Options"
        values={values}
        labels={{ email_verified: 'E-mail address verified (the OpenID Connect email_verified claim)' }}
      />
    </>
  );
}

/** The user listing (with its search) and the create form; one user's page is `UserPage`. */
export const USER_PAGES = listAndCreatePages<UserView, UserFormValues>({
  collection: { title: 'Users', path: '/admin/users', newLabel: 'New user', createLabel: 'Create user' },
  columns: [
    { heading: 'Username', cell: (user) => <a href={userPath(user.id)}>{user.username}</a> },
    { heading: 'Name', cell: (user) => user.name ?? '—' },
    { heading: 'E-mail', cell: (user) => user.email ?? '—' },
    { heading: 'Role', cell: (user) => <RoleBadge user={user} /> },
    { heading: 'Status', cell: (user) => <EnabledBadge enabled={user.enabled} /> },
    { heading: 'Created', cell: (user) => <Time secs={user.created_at} /> },
  ],
  empty: 'No users yet.',
  search: { label: 'Search by username, e-mail or name', noMatch: 'No user matches the search.' },
  fields: ({ values, error }) => (
    <>
      <TextField
        name="username"
        label="Username"
        hint="Letters, digits and . _ @ + - (case-insensitive)."
        value={values.username}
        error={error}
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
        error={error}
        required
        autocomplete="new-password"
      />
      <ProfileFields values={values} error={error} />
    </>
  ),
});

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
  const base = userPath(user.id);
  return (
    <AdminLayout
      chrome={props.chrome}
      title={user.username}
      back={{ href: USER_PAGES.collection.path, label: USER_PAGES.collection.title }}
    >
      <ErrorSummary error={props.error ?? props.passwordError} />
      <DetailsPanel>
        <FactList
          facts={[
            ['User ID', <code>{user.id}</code>],
            [
              'Status',
              <>
                <EnabledBadge enabled={user.enabled} />{' '}
                {user.role === 'admin' && <Badge tone="warn">admin</Badge>}
              </>,
            ],
            ['Created', <Time secs={user.created_at} />],
            ['Updated', <Time secs={user.updated_at} />],
          ]}
        />
        <div class="actions">
          <GrantLinks filter={`user_id=${encodeURIComponent(user.id)}`} />
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
        <OptionBoxes
          legend="Access"
          values={props.values}
          labels={{ enabled: "Enabled (disabling ends the user's sessions at once)" }}
        />
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
