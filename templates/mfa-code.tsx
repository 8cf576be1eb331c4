/**
 * The second step of a sign-in: one POST form asking for the six-digit code of the user's authenticator
 * app (or one of their recovery codes, in the same input), with the hidden CSRF token.
 */
import { Alert, Layout } from './layout';

export interface MfaCodePageProps {
  nonce: string;
  csrfToken: string;
  /** Where the form posts. */
  action: string;
  error: string | null;
}

/** The labelled `code` input of the code and set-up forms (a recovery code fits too). */
export function CodeInput({ label }: { label: string }) {
  return (
    <>
      <label for="code">{label}</label>
      <input
        id="code"
        name="code"
        type="text"
        inputmode="numeric"
        autocomplete="one-time-code"
        autocapitalize="none"
        spellcheck={false}
        maxlength={32}
        required
        autofocus
      />
    </>
  );
}

export function MfaCodePage({ nonce, csrfToken, action, error }: MfaCodePageProps) {
  return (
    <Layout title="Enter your code" nonce={nonce}>
      <h1>Two-step sign-in</h1>
      <p>Enter the six-digit code your authenticator app shows for this account.</p>
      <Alert message={error} />
      <form method="post" action={action}>
        <input type="hidden" name="csrf_token" value={csrfToken} />
        <CodeInput label="Code" />
        <p class="muted">Lost your app? Enter one of your recovery codes instead.</p>
        <div class="actions">
          <button type="submit">Continue</button>
        </div>
      </form>
    </Layout>
  );
}
