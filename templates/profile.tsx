/** The signed-in user's page: who they are, a sign-out form, discovery and (admins) the admin area. */
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
}

export function ProfilePage({ nonce, csrfToken, user }: ProfilePageProps) {
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
