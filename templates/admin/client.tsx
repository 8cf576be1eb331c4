/**
 * One client's page: its facts, the actions (enable/disable, rotate the secret, grants, delete), the edit
 * form, and right after a create or rotation its new secret, shown this once.
 */
import type { ClientView } from '../../src/admin';
import {
  CLIENT_PAGES,
  ClientBadges,
  ClientFields,
  type ClientFormOptions,
  type ClientFormValues,
  clientPath,
} from './clients';
import {
  CsrfInput,
  DeleteLink,
  DetailsPanel,
  EditSection,
  ErrorSummary,
  type Fact,
  FactList,
  type FormError,
  Time,
} from './components';
import { GrantLinks } from './grants';
import { type AdminChrome, AdminLayout } from './layout';

export interface ClientPageProps {
  chrome: AdminChrome;
  client: ClientView;
  values: ClientFormValues;
  options: ClientFormOptions;
  error: FormError | null;
  /** The secret just issued (create, rotation, or a switch to confidential): shown on this one response. */
  secret: string | null;
}

function SecretBox({ clientId, secret }: { clientId: string; secret: string }) {
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title">Copy the client secret now</h2>
      <p>
        This is the only time it is shown: the server keeps only its hash. If it is lost, rotate the secret.
      </p>
      <p>
        Client ID: <code>{clientId}</code>
      </p>
      <label for="client-secret">Client secret</label>
      <output id="client-secret">{secret}</output>
    </section>
  );
}

/** How the client came to be. */
function registeredBy(client: ClientView): string {
  if (client.bootstrap) return 'by configuration';
  if (!client.dynamically_registered) return 'by an administrator';
  return client.registration_access
    ? 'through dynamic registration (RFC 7591); the registrant can still change it'
    : 'through dynamic registration (RFC 7591); the registrant’s access was revoked when its trust changed';
}

function RedirectUris({ uris }: { uris: string[] }) {
  if (uris.length === 0) return <>—</>;
  return (
    <>
      {uris.map((uri) => (
        <>
          <code>{uri}</code>
          <br />
        </>
      ))}
    </>
  );
}

function clientFacts(client: ClientView): Fact[] {
  const facts: Fact[] = [
    ['Client ID', <code>{client.client_id}</code>],
    ['Status', <ClientBadges client={client} />],
    [
      'Type',
      <>
        {client.client_type} (<code>{client.token_endpoint_auth_method}</code>)
      </>,
    ],
    ['Grant types', client.grant_types.join(', ') || '—'],
    ['Scopes', client.scope],
    ['Redirect URIs', <RedirectUris uris={client.redirect_uris} />],
    ['Registered', registeredBy(client)],
  ];
  if (client.bootstrap) return facts;
  return [
    ...facts,
    ['Created', <Time secs={client.created_at} />],
    ['Updated', <Time secs={client.updated_at} />],
  ];
}

function ClientActions({ client, csrfToken }: { client: ClientView; csrfToken: string }) {
  const base = clientPath(client.client_id);
  return (
    <form method="post" action={`${base}/enabled`} class="actions">
      <CsrfInput token={csrfToken} />
      <input type="hidden" name="enabled" value={client.enabled ? 'false' : 'true'} />
      <button type="submit" class="secondary">
        {client.enabled ? 'Disable' : 'Enable'}
      </button>
      {client.client_type === 'confidential' && (
        <a class="button secondary" href={`${base}/rotate`}>
          Rotate secret…
        </a>
      )}
      <GrantLinks filter={`client_id=${encodeURIComponent(client.client_id)}`} />
      <DeleteLink path={base} />
    </form>
  );
}

export function ClientPage(props: ClientPageProps) {
  const { client } = props;
  const title = client.client_name ?? client.client_id;
  return (
    <AdminLayout
      chrome={props.chrome}
      title={title}
      back={{ href: CLIENT_PAGES.collection.path, label: CLIENT_PAGES.collection.title }}
    >
      {props.secret !== null && <SecretBox clientId={client.client_id} secret={props.secret} />}
      <ErrorSummary error={props.error} />
      <DetailsPanel>
        <FactList facts={clientFacts(client)} />
        {client.bootstrap ? (
          <p class="muted">
            The bootstrap admin client is defined by configuration (<code>OAUTH2_ADMIN_CLIENT_ID</code> and{' '}
            <code>OAUTH2_ADMIN_CLIENT_SECRET</code>): it cannot be changed here.
          </p>
        ) : (
          <ClientActions client={client} csrfToken={props.chrome.csrfToken} />
        )}
      </DetailsPanel>
      {!client.bootstrap && (
        <EditSection path={clientPath(client.client_id)} csrfToken={props.chrome.csrfToken}>
          <ClientFields values={props.values} options={props.options} error={props.error} />
        </EditSection>
      )}
    </AdminLayout>
  );
}
