/**
 * One client's page: its facts, the actions (enable/disable, rotate the secret, grants, delete), the edit
 * form, and right after a create or rotation its new secret, shown this once.
 */
import type { ClientView } from '../../src/admin';
import { ClientBadges, ClientFields, type ClientFormOptions, type ClientFormValues } from './clients';
import {
  CsrfInput,
  DeleteLink,
  DetailsPanel,
  EditSection,
  ErrorSummary,
  type FormError,
  Time,
} from './components';
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

function ClientFacts({ client }: { client: ClientView }) {
  return (
    <dl class="facts">
      <dt>Client ID</dt>
      <dd>
        <code>{client.client_id}</code>
      </dd>
      <dt>Status</dt>
      <dd>
        <ClientBadges client={client} />
      </dd>
      <dt>Type</dt>
      <dd>
        {client.client_type} (<code>{client.token_endpoint_auth_method}</code>)
      </dd>
      <dt>Grant types</dt>
      <dd>{client.grant_types.join(', ') || '—'}</dd>
      <dt>Scopes</dt>
      <dd>{client.scope}</dd>
      <dt>Redirect URIs</dt>
      <dd>
        {client.redirect_uris.length === 0
          ? '—'
          : client.redirect_uris.map((uri) => (
              <>
                <code>{uri}</code>
                <br />
              </>
            ))}
      </dd>
      <dt>Registered</dt>
      <dd>
        {client.bootstrap
          ? 'by configuration'
          : client.dynamically_registered
            ? client.registration_access
              ? 'through dynamic registration (RFC 7591); the registrant can still change it'
              : 'through dynamic registration (RFC 7591); the registrant’s access was revoked when its trust changed'
            : 'by an administrator'}
      </dd>
      {!client.bootstrap && (
        <>
          <dt>Created</dt>
          <dd>
            <Time secs={client.created_at} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time secs={client.updated_at} />
          </dd>
        </>
      )}
    </dl>
  );
}

function ClientActions({ client, csrfToken }: { client: ClientView; csrfToken: string }) {
  const base = `/admin/clients/${encodeURIComponent(client.client_id)}`;
  const grants = `/admin/grants?client_id=${encodeURIComponent(client.client_id)}`;
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
      <a class="button secondary" href={grants}>
        Grants
      </a>
      <a
        class="button secondary"
        href={`/admin/grants/revoke-all?client_id=${encodeURIComponent(client.client_id)}`}
      >
        Revoke all grants…
      </a>
      <DeleteLink path={base} />
    </form>
  );
}

export function ClientPage(props: ClientPageProps) {
  const { client } = props;
  const title = client.client_name ?? client.client_id;
  return (
    <AdminLayout chrome={props.chrome} title={title} back={{ href: '/admin/clients', label: 'Clients' }}>
      {props.secret !== null && <SecretBox clientId={client.client_id} secret={props.secret} />}
      <ErrorSummary error={props.error} />
      <DetailsPanel>
        <ClientFacts client={client} />
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
        <EditSection
          path={`/admin/clients/${encodeURIComponent(client.client_id)}`}
          csrfToken={props.chrome.csrfToken}
        >
          <ClientFields values={props.values} options={props.options} error={props.error} />
        </EditSection>
      )}
    </AdminLayout>
  );
}
