/**
 * The signed-in user's second factors: the authenticator app (TOTP) and passkeys, each enrolled factor an
 * element with `data-factor` and a remove form (CSRF token); a link to set up an app and the button that
 * registers a passkey (run by /auth/passkeys.js, loaded by the page nonce).
 */
import type { PasskeyRecord } from '../src/storage/mfa';
import { Alert, Layout } from './layout';
import { PasskeyScript } from './passkey-script';

export interface SecurityPageProps {
  nonce: string;
  csrfToken: string;
  totp: { createdAt: number; recoveryCodesLeft: number } | null;
  passkeys: PasskeyRecord[];
  /** Whether the sign-in is recent enough to add or remove factors. */
  canChange: boolean;
  /** A note to show above the factors (the admin policy), or null. */
  notice: string | null;
  actions: {
    totpSetup: string;
    totpRemove: string;
    passkeyRemove: string;
    passkeyRename: string;
    signInAgain: string;
  };
}

function formatTime(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function RemoveForm(props: { action: string; csrfToken: string; credentialId?: string; label: string }) {
  return (
    <form method="post" action={props.action}>
      <input type="hidden" name="csrf_token" value={props.csrfToken} />
      {props.credentialId !== undefined && (
        <input type="hidden" name="credential_id" value={props.credentialId} />
      )}
      <button type="submit" class="secondary">
        {props.label}
      </button>
    </form>
  );
}

function TotpSection(props: SecurityPageProps) {
  const { totp } = props;
  if (totp === null) {
    return (
      <p>
        No authenticator app.{' '}
        <a href={props.actions.totpSetup} id="add-totp">
          Set up an authenticator app
        </a>
      </p>
    );
  }
  return (
    <div data-factor="totp">
      <p>
        <strong>Authenticator app</strong>{' '}
        <span class="muted">
          added {formatTime(totp.createdAt)}; {totp.recoveryCodesLeft} recovery codes left
        </span>
      </p>
      {props.canChange && (
        <RemoveForm action={props.actions.totpRemove} csrfToken={props.csrfToken} label="Remove" />
      )}
    </div>
  );
}

function PasskeyItem(props: { passkey: PasskeyRecord; page: SecurityPageProps }) {
  const { passkey, page } = props;
  return (
    <li data-factor="passkey" data-credential-id={passkey.credentialId}>
      <strong>{passkey.name}</strong>{' '}
      <span class="muted">
        added {formatTime(passkey.createdAt)}; last used{' '}
        {passkey.lastUsedAt === null ? 'never' : formatTime(passkey.lastUsedAt)}
      </span>
      {page.canChange && (
        <>
          <form method="post" action={page.actions.passkeyRename}>
            <input type="hidden" name="csrf_token" value={page.csrfToken} />
            <input type="hidden" name="credential_id" value={passkey.credentialId} />
            <label for={`name-${passkey.credentialId}`}>Name</label>
            <input
              id={`name-${passkey.credentialId}`}
              name="name"
              value={passkey.name}
              maxlength={64}
              required
            />
            <button type="submit" class="secondary">
              Rename
            </button>
          </form>
          <RemoveForm
            action={page.actions.passkeyRemove}
            csrfToken={page.csrfToken}
            credentialId={passkey.credentialId}
            label="Remove"
          />
        </>
      )}
    </li>
  );
}

export function SecurityPage(props: SecurityPageProps) {
  return (
    <Layout title="Sign-in security" nonce={props.nonce}>
      <h1>Sign-in security</h1>
      <Alert message={props.notice} />
      {!props.canChange && (
        <p class="muted">
          To add or remove a factor, <a href={props.actions.signInAgain}>sign in again</a> first.
        </p>
      )}
      <h2>Authenticator app</h2>
      <TotpSection {...props} />
      <h2>Passkeys</h2>
      {props.passkeys.length === 0 ? (
        <p class="muted">No passkeys.</p>
      ) : (
        <ul>
          {props.passkeys.map((passkey) => (
            <PasskeyItem passkey={passkey} page={props} />
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="button" id="add-passkey" data-csrf-token={props.csrfToken}>
          Add a passkey
        </button>
      </div>
      <noscript>
        <p class="muted">Adding a passkey needs JavaScript.</p>
      </noscript>
      <PasskeyScript nonce={props.nonce} />
      <p>
        <a href="/profile">Back to your account</a>
      </p>
    </Layout>
  );
}
