/** RP-initiated logout pages: the confirmation form (OIDC RP-Initiated Logout §2) and "signed out". */
import { Layout } from './layout';

export interface LogoutConfirmProps {
  nonce: string;
  csrfToken: string;
  action: string;
  username: string;
  /** Carried through the confirmation POST unchanged. */
  hidden: Record<string, string>;
}

export function LogoutConfirmPage(props: LogoutConfirmProps) {
  return (
    <Layout title="Sign out?" nonce={props.nonce}>
      <h1>Sign out?</h1>
      <p>
        You are signed in as <strong>{props.username}</strong>. An application asked to sign you out.
      </p>
      <form method="post" action={props.action}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        {Object.entries(props.hidden).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <div class="actions">
          <button type="submit" name="decision" value="logout">
            Sign out
          </button>
          <a href="/profile">Stay signed in</a>
        </div>
      </form>
    </Layout>
  );
}

export interface SignedOutProps {
  nonce: string;
  /** Front-Channel Logout 1.0 §2: each application's logout URI, loaded in a hidden iframe. */
  frames?: string[];
  /** The application's post_logout_redirect_uri (with state), reached after the frames had time to load. */
  continueTo?: string | null;
}

/** Seconds the page waits for the logout iframes before it moves on to `continueTo`. */
const CONTINUE_AFTER_SECS = 2;

export function SignedOutPage({ nonce, frames = [], continueTo = null }: SignedOutProps) {
  return (
    <Layout title="Signed out" nonce={nonce}>
      {continueTo ? <meta http-equiv="refresh" content={`${CONTINUE_AFTER_SECS};url=${continueTo}`} /> : null}
      <h1>You are signed out</h1>
      {frames.length > 0 ? <p>Signing you out of the applications you used since you signed in…</p> : null}
      {frames.map((src) => (
        <iframe src={src} title="Application sign-out" hidden width="0" height="0" class="logout-frame" />
      ))}
      <p>
        {continueTo ? (
          <a href={continueTo}>Continue to the application</a>
        ) : (
          <a href="/auth/login">Sign in again</a>
        )}
      </p>
    </Layout>
  );
}
