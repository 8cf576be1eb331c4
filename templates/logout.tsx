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

export function SignedOutPage({ nonce }: { nonce: string }) {
  return (
    <Layout title="Signed out" nonce={nonce}>
      <h1>You are signed out</h1>
      <p>
        <a href="/auth/login">Sign in again</a>
      </p>
    </Layout>
  );
}
