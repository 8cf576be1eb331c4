/**
 * The sign-in page: exactly one POST form with `username`, `password` and a hidden CSRF token; outside it
 * the passkey button `#passkey-login` (run by `/auth/passkeys.js`, loaded by the page nonce; the username
 * field also offers passkeys by autofill, `autocomplete="username webauthn"`); then one link per enabled
 * upstream provider to `/auth/login/{provider}` (carrying the same `return_to`). When the sign-in
 * continues an authorization request, the application asking is named (client-identity.tsx).
 */
import { type ClientIdentity, ClientLinks, ClientLogo } from './client-identity';
import { Alert, Layout } from './layout';
import { PasskeyScript } from './passkey-script';

export interface UpstreamProvider {
  /** Path segment of `/auth/login/{id}`. */
  id: string;
  name: string;
}

export interface LoginPageProps {
  nonce: string;
  csrfToken: string;
  /** A safe relative path to continue to after signing in. */
  returnTo: string;
  /** Pre-filled username (login_hint or the last attempt). */
  username: string;
  /** A generic message (never says whether the username exists). */
  error: string | null;
  /** Why this sign-in is asked for (a step-up to a two-step sign-in), above the form. */
  notice?: string | null;
  /** Upstream sign-in providers, one link each. */
  providers?: UpstreamProvider[];
  /** The application the sign-in continues to (an authorization request held for it), if known. */
  client?: ClientIdentity | null;
}

export function LoginPage(props: LoginPageProps) {
  const providers = props.providers ?? [];
  const client = props.client ?? null;
  return (
    <Layout title={client === null ? 'Sign in' : `Sign in to continue to ${client.name}`} nonce={props.nonce}>
      {client !== null && <ClientLogo client={client} />}
      <h1>Sign in</h1>
      {client !== null && (
        <p class="continue">
          to continue to <strong>{client.name}</strong>
        </p>
      )}
      {props.notice != null && <p class="notice">{props.notice}</p>}
      <Alert message={props.error} />
      <form method="post" action="/auth/login">
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <label for="username">Username</label>
        <input
          id="username"
          name="username"
          type="text"
          value={props.username}
          autocomplete="username webauthn"
          autocapitalize="none"
          spellcheck={false}
          maxlength={256}
          required
          autofocus={props.username === ''}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          maxlength={256}
          required
          autofocus={props.username !== ''}
        />
        <div class="actions">
          <button type="submit">Sign in</button>
        </div>
      </form>
      <PasskeySignIn nonce={props.nonce} csrfToken={props.csrfToken} returnTo={props.returnTo} />
      {client !== null && <ClientLinks client={client} />}
      {providers.length > 0 && (
        <>
          <p class="muted">Or sign in with</p>
          <ul>
            {providers.map((provider) => (
              <li>
                <a
                  class="provider"
                  href={`/auth/login/${encodeURIComponent(provider.id)}?${new URLSearchParams({ return_to: props.returnTo })}`}
                >
                  Sign in with {provider.name}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </Layout>
  );
}

/**
 * The passkey button (a plain button, not in the form: the form stays the page's only POST) and the
 * script that runs it; the script reads the CSRF token and `return_to` from the button. Without script,
 * the `<noscript>` line says why the button does nothing.
 */
function PasskeySignIn(props: { nonce: string; csrfToken: string; returnTo: string }) {
  return (
    <div class="actions">
      <button
        type="button"
        id="passkey-login"
        class="secondary"
        data-csrf-token={props.csrfToken}
        data-return-to={props.returnTo}
      >
        Sign in with a passkey
      </button>
      <noscript>
        <p class="muted">Signing in with a passkey needs JavaScript.</p>
      </noscript>
      <PasskeyScript nonce={props.nonce} />
    </div>
  );
}
