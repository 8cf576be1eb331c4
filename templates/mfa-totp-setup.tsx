/**
 * Setting up an authenticator app: the secret (base32, in `data-totp-secret`), its otpauth:// URI and
 * QR code (inline SVG drawn on the server: no image request), and a POST form for the first code. Once
 * confirmed, the ten recovery codes, shown this one time.
 */
import { Alert, Layout } from './layout';
import { CodeInput } from './mfa-code';

export interface TotpSetupPageProps {
  nonce: string;
  csrfToken: string;
  action: string;
  secret: string;
  otpauthUri: string;
  /** The QR code as an SVG path over a `size`×`size` grid; null when the URI is too long to draw. */
  qr: { path: string; size: number } | null;
  error: string | null;
}

/** The secret in groups of four, as apps that take it typed in show it. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

export function TotpSetupPage(props: TotpSetupPageProps) {
  return (
    <Layout title="Set up an authenticator app" nonce={props.nonce}>
      <h1>Set up an authenticator app</h1>
      <p>Scan this code with your authenticator app, or type the key in by hand.</p>
      {props.qr !== null && (
        <svg
          xmlns="http://www.w3.org/2000/svg"
          viewBox={`0 0 ${props.qr.size} ${props.qr.size}`}
          width="232"
          height="232"
          role="img"
          aria-label="QR code of the key"
          shape-rendering="crispEdges"
          id="totp-qr"
        >
          <rect width="100%" height="100%" fill="#fff" />
          <path d={props.qr.path} fill="#000" />
        </svg>
      )}
      <p>
        Key: <code data-totp-secret={props.secret}>{grouped(props.secret)}</code>
      </p>
      <p class="muted">
        <a href={props.otpauthUri} id="otpauth-uri">
          Open in an authenticator app on this device
        </a>
      </p>
      <Alert message={props.error} />
      <form method="post" action={props.action}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <CodeInput label="The six-digit code your app shows" />
        <div class="actions">
          <button type="submit">Turn on</button>
          <a href="/profile/security">Cancel</a>
        </div>
      </form>
    </Layout>
  );
}

export function RecoveryCodesPage(props: { nonce: string; codes: string[] }) {
  return (
    <Layout title="Your recovery codes" nonce={props.nonce}>
      <h1>Authenticator app turned on</h1>
      <p>
        Keep these recovery codes somewhere safe. Each signs you in once if you lose your app. They are shown
        only now.
      </p>
      <ul id="recovery-codes">
        {props.codes.map((code) => (
          <li>
            <code data-recovery-code={code}>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href="/profile/security">Back to security</a>
      </p>
    </Layout>
  );
}
