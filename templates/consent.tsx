/**
 * The consent page: one POST form with a hidden CSRF token, the pending request's id and two submit
 * buttons named `decision` (`approve`, `deny`). Client name and URI come from (possibly anonymous)
 * registrations: they are escaped, and the URI is linked only when it is http(s); the logo, privacy
 * policy and terms only when they are https (templates/client-identity.tsx).
 */
import { type ClientIdentity, ClientLinks, ClientLogo, httpsUrl } from './client-identity';
import { Layout } from './layout';
import { ScopeDecision, type ScopeDecisionRequest } from './scope-decision';

/** `action`: the consent endpoint. */
export interface ConsentPageProps extends ScopeDecisionRequest {
  nonce: string;
  /** Identifies the pending authorization request on the server. */
  requestId: string;
  clientName: string;
  clientUri: string | null;
  /** The client's logo_uri, privacy policy and terms (only https ones are shown). */
  logoUri?: string | null;
  policyUri?: string | null;
  tosUri?: string | null;
}

function isWebUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
}

export function ConsentPage(props: ConsentPageProps) {
  const { clientName, clientUri } = props;
  const client: ClientIdentity = {
    name: clientName,
    logoUri: httpsUrl(props.logoUri),
    policyUri: httpsUrl(props.policyUri),
    tosUri: httpsUrl(props.tosUri),
  };
  return (
    <Layout title={`Allow ${clientName}?`} nonce={props.nonce}>
      <ClientLogo client={client} />
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
      <ClientLinks client={client} />
      <ScopeDecision
        {...props}
        requester="application"
        pending={{ name: 'request_id', value: props.requestId }}
      />
    </Layout>
  );
}
