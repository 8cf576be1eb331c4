/**
 * The consent page: one POST form with a hidden CSRF token, the pending request's id and two submit
 * buttons named `decision` (`approve`, `deny`). Client name and URI come from (possibly anonymous)
 * registrations: they are escaped, and the URI is linked only when it is http(s).
 */
import { Layout } from './layout';
import { ScopeDecision } from './scope-decision';

export interface ConsentPageProps {
  nonce: string;
  csrfToken: string;
  /** Where the form posts (the consent endpoint). */
  action: string;
  /** Identifies the pending authorization request on the server. */
  requestId: string;
  clientName: string;
  clientUri: string | null;
  scopes: { name: string; description: string }[];
  /** The client registered itself rather than being added by an administrator. */
  selfRegistered: boolean;
  /** The signed-in user, so they can tell which account is consenting. */
  username: string;
}

function isWebUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
}

export function ConsentPage(props: ConsentPageProps) {
  const { clientName, clientUri } = props;
  return (
    <Layout title={`Allow ${clientName}?`} nonce={props.nonce}>
      <h1>
        Allow <span>{clientName}</span> to access your account?
      </h1>
      {clientUri !== null && (
        <p class="muted">
          {isWebUrl(clientUri) ? (
            <a href={clientUri} rel="noopener noreferrer" target="_blank">
              {clientUri}
            </a>
          ) : (
            clientUri
          )}
        </p>
      )}
      <ScopeDecision
        username={props.username}
        requester="application"
        selfRegistered={props.selfRegistered}
        scopes={props.scopes}
        action={props.action}
        csrfToken={props.csrfToken}
        pending={{ name: 'request_id', value: props.requestId }}
      />
    </Layout>
  );
}
