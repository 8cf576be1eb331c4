/** The client list (search, paging), the create form, and the client form fields it shares with the edit form. */
import type { ClientView } from '../../src/admin';
import {
  Badge,
  Checkbox,
  CheckboxGroup,
  CsrfInput,
  ErrorSummary,
  type FormError,
  Pager,
  SelectField,
  TableFrame,
  TextArea,
  TextField,
  Time,
} from './components';
import { type AdminChrome, AdminLayout } from './layout';

/** The client form as the administrator filled it in (kept when a change is refused). */
export interface ClientFormValues {
  client_name: string;
  /** One per line. */
  redirect_uris: string;
  grant_types: ReadonlySet<string>;
  token_endpoint_auth_method: string;
  scopes: ReadonlySet<string>;
  first_party: boolean;
  enabled: boolean;
}

export interface ClientFormOptions {
  grantTypes: readonly string[];
  authMethods: readonly string[];
  scopes: readonly string[];
  defaultScope: string;
}

const AUTH_LABELS: Record<string, string> = {
  client_secret_basic: 'client_secret_basic (confidential: secret in the Authorization header)',
  client_secret_post: 'client_secret_post (confidential: secret in the form body)',
  none: 'none (public: a browser or native app, no secret; PKCE only)',
};

export function ClientFields(props: {
  values: ClientFormValues;
  options: ClientFormOptions;
  error: FormError | null;
}) {
  const { values, options, error } = props;
  return (
    <>
      <TextField name="client_name" label="Name" value={values.client_name} error={error} maxlength={500} />
      <TextArea
        name="redirect_uris"
        label="Redirect URIs"
        hint="One per line: https, http only on loopback (127.0.0.1, [::1], localhost), or an app's private-use scheme. Required for the authorization code grant."
        value={values.redirect_uris}
        error={error}
      />
      <CheckboxGroup
        name="grant_types"
        label="Grant types"
        hint="None checked: authorization_code."
        options={options.grantTypes.map((grant) => ({ value: grant, label: <code>{grant}</code> }))}
        checked={values.grant_types}
        error={error}
      />
      <CheckboxGroup
        name="scope"
        label="Scopes"
        hint={`None checked: ${options.defaultScope}. Scope admin gives full access to this admin API.`}
        options={options.scopes.map((scope) => ({ value: scope, label: <code>{scope}</code> }))}
        checked={values.scopes}
        error={error}
      />
      <SelectField
        name="token_endpoint_auth_method"
        label="Client authentication"
        value={values.token_endpoint_auth_method}
        options={options.authMethods.map((method) => ({
          value: method,
          label: AUTH_LABELS[method] ?? method,
        }))}
        error={error}
      />
      <fieldset>
        <legend>Options</legend>
        <Checkbox
          name="enabled"
          label="Enabled (a disabled client gets no tokens; its tokens turn inactive)"
          checked={values.enabled}
        />
        <Checkbox
          name="first_party"
          label="First-party (users are not asked for consent)"
          checked={values.first_party}
        />
      </fieldset>
    </>
  );
}

export interface ClientListPageProps {
  chrome: AdminChrome;
  items: ClientView[];
  q: string;
  cursor: string | undefined;
  nextCursor: string | null;
}

export function ClientListPage(props: ClientListPageProps) {
  return (
    <AdminLayout chrome={props.chrome} title="Clients">
      <form method="get" action="/admin/clients" class="toolbar">
        <div class="field">
          <label for="f-q">Search by name or client_id</label>
          <input id="f-q" name="q" type="search" value={props.q} maxlength={200} />
        </div>
        <button type="submit" class="secondary">
          Search
        </button>
        <span class="spacer" />
        <a class="button" href="/admin/clients/new">
          New client
        </a>
      </form>
      <TableFrame
        caption="Clients"
        count={props.items.length}
        empty={props.q === '' ? 'No clients yet.' : 'No client matches the search.'}
      >
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Client ID</th>
            <th scope="col">Type</th>
            <th scope="col">Grant types</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((client) => (
            <tr>
              <td>
                <a href={`/admin/clients/${encodeURIComponent(client.client_id)}`}>
                  {client.client_name ?? client.client_id}
                </a>
              </td>
              <td class="id">
                <code>{client.client_id}</code>
              </td>
              <td>{client.client_type}</td>
              <td>{client.grant_types.join(', ')}</td>
              <td>
                <ClientBadges client={client} />
              </td>
              <td>{client.bootstrap ? <span class="muted">—</span> : <Time secs={client.created_at} />}</td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
      <Pager
        path="/admin/clients"
        params={{ q: props.q }}
        cursor={props.cursor}
        nextCursor={props.nextCursor}
      />
    </AdminLayout>
  );
}

export function ClientBadges({ client }: { client: ClientView }) {
  return (
    <>
      {client.bootstrap && (
        <>
          <Badge tone="plain">from configuration</Badge>{' '}
        </>
      )}
      {client.enabled ? <Badge tone="ok">enabled</Badge> : <Badge tone="off">disabled</Badge>}
      {client.first_party && (
        <>
          {' '}
          <Badge tone="plain">first-party</Badge>
        </>
      )}
    </>
  );
}

export interface ClientCreatePageProps {
  chrome: AdminChrome;
  values: ClientFormValues;
  options: ClientFormOptions;
  error: FormError | null;
}

export function ClientCreatePage(props: ClientCreatePageProps) {
  return (
    <AdminLayout chrome={props.chrome} title="New client" back={{ href: '/admin/clients', label: 'Clients' }}>
      <ErrorSummary error={props.error} />
      <form method="post" action="/admin/clients" class="stack panel">
        <CsrfInput token={props.chrome.csrfToken} />
        <ClientFields values={props.values} options={props.options} error={props.error} />
        <div class="actions">
          <button type="submit">Create client</button>
          <a class="button secondary" href="/admin/clients">
            Cancel
          </a>
        </div>
      </form>
    </AdminLayout>
  );
}
