/**
 * The device verification pages (RFC 8628 §3.3): code entry, the approve/deny page and the result.
 * Forms POST to the verification URI with a hidden CSRF token; the approve/deny page has two submit
 * buttons named `decision` (`approve`, `deny`) like the consent page, and shows the user code so the
 * user can compare it with the one on the device (RFC 8628 §5.4). Client names are escaped.
 */
import { Alert, Layout } from './layout';
import { ScopeDecision, type ScopeDecisionRequest } from './scope-decision';

export interface DeviceCodePageProps {
  nonce: string;
  csrfToken: string;
  action: string;
  /** What the user typed last, to show again. */
  value: string;
  error: string | null;
}

export function DeviceCodePage(props: DeviceCodePageProps) {
  return (
    <Layout title="Connect a device" nonce={props.nonce}>
      <h1>Connect a device</h1>
      <Alert message={props.error} />
      <p>Enter the code shown on your device.</p>
      <form method="post" action={props.action}>
        <input type="hidden" name="csrf_token" value={props.csrfToken} />
        <label for="user_code">Code</label>
        <input
          id="user_code"
          name="user_code"
          type="text"
          value={props.value}
          placeholder="XXXX-XXXX"
          autocomplete="off"
          autocapitalize="characters"
          spellcheck={false}
          maxlength={16}
          required
          autofocus
        />
        <div class="actions">
          <button type="submit">Continue</button>
        </div>
      </form>
    </Layout>
  );
}

export interface DeviceConfirmPageProps extends ScopeDecisionRequest {
  nonce: string;
  /** As shown on the device: `XXXX-XXXX`. */
  userCode: string;
  clientName: string;
}

export function DeviceConfirmPage(props: DeviceConfirmPageProps) {
  return (
    <Layout title={`Allow ${props.clientName}?`} nonce={props.nonce}>
      <h1>
        Allow <span>{props.clientName}</span> on your device?
      </h1>
      <p>
        Only continue if your device shows the code <code>{props.userCode}</code> and you started this
        yourself.
      </p>
      <ScopeDecision {...props} requester="device" pending={{ name: 'user_code', value: props.userCode }} />
    </Layout>
  );
}

export function DeviceDonePage(props: { nonce: string; approved: boolean }) {
  const title = props.approved ? 'Device connected' : 'Request denied';
  return (
    <Layout title={title} nonce={props.nonce}>
      <h1>{title}</h1>
      <p>
        {props.approved
          ? 'You can return to your device; it will continue on its own.'
          : 'The device was not given access. You can close this page.'}
      </p>
    </Layout>
  );
}
