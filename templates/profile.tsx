/**
 * The signed-in user's page: who they are, the apps connected to their account (each with a revoke
 * form: CSRF token and `grant_id`), a sign-out form, discovery and (admins) the admin area.
 */
import type { ConnectedApp } from '../src/account/connected-apps';
import { Layout } from './layout';

export interface ProfilePageProps {
  nonce: string;
  csrfToken: string;
  user: {
    userId: string;
    username: string;
    name: string | null;
    email: string | null;
    role: 'user' | 'admin';
  };
  /** The user's live grants, newest first. */
  connectedApps: ConnectedApp[];
  /** Where a revoke form posts. */
  revokeAction: string;
}

function formatDate(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

function ConnectedApps(props: { apps: ConnectedApp[]; csrfToken: string; action: string }) {
  if (props.apps.length === 0) return <p class="muted">No app holds access to your account.</p>;
  return (
    <ul class="connected-apps">
      {props.apps.map((app) => (
        <li data-grant-id={app.grant_id} data-client-id={app.client_id}>
          <strong>{app.client_name ?? app.client_id}</strong>{' '}
          <span class="muted">
            since {formatDate(app.created_at)}; <code>{app.scope}</code>
          </span>
          <form method="post" action={props.action}>
            <input type="hidden" name="csrf_token" value={props.csrfToken} />
            <input type="hidden" name="grant_id" value={app.grant_id} />
            <button type="submit" class="secondary">
              Revoke
            </button>
          </form>
        </li>
      ))}
    </ul>
  );
}

export function ProfilePage({ nonce, csrfToken, user, connectedApps, revokeAction }: ProfilePageProps) {
  return (
    <Layout title="Your account" nonce={nonce}>
      <h1>Your account</h1>
      <dl>
        <dt>Username</dt>
        <dd>{user.username}</dd>
        {user.name !== null && (
          <>
            <dt>Name</dt>
            <dd>{user.name}</dd>
          </>
        )}
        <dt>E-mail</dt>
        <dd>{user.email ?? <span class="muted">none</span>}</dd>
        <dt>Role</dt>
        <dd>{user.role}</dd>
        <dt>User id</dt>
        <dd>
          <code>{user.userId}</code>
        </dd>
      </dl>
      <h2>Connected apps</h2>
      <ConnectedApps apps={connectedApps} csrfToken={csrfToken} action={revokeAction} />
      <p>
        <a href="/profile/security" id="security">
          Sign-in security
        </a>{' '}
        <span class="muted">(authenticator app, passkeys)</span>
      </p>
      <p>
        <a href="/.well-known/openid-configuration">OpenID Connect discovery</a>
        {user.role === 'admin' && (
          <>
            {' · '}
            <a href="/admin">Administration</a>
          </>
        )}
      </p>
      <form method="post" action="/auth/logout">
        <input type="hidden" name="csrf_token" value={csrfToken} />
        <div class="actions">
          <button type="submit" class="secondary">
            Sign out
          </button>
        </div>
      </form>
    </Layout>
  );
}
