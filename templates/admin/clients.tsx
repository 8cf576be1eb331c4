/** The client list (search, paging), the create form, and the client form fields it shares with the edit form. */
import type { ClientView } from '../../src/admin';
import {
  Badge,
  Checkbox,
  CheckboxGroup,
  EnabledBadge,
  type FormError,
  SelectField,
  TextArea,
  TextField,
  Time,
} from './components';
import { CreatePage, type ListingProps, SearchListPage } from './frames';
import type { AdminChrome } from './layout';

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

export interface ClientListPageProps extends ListingProps<ClientView> {
  q: string;
}

export function ClientListPage(props: ClientListPageProps) {
  return (
    <SearchListPage
      chrome={props.chrome}
      title="Clients"
      newHref="/admin/clients/new"
      newLabel="New client"
      searchLabel="Search by name or client_id"
      q={props.q}
      caption="Clients"
      columns={['Name', 'Client ID', 'Type', 'Grant types', 'Status', 'Created']}
      empty="No clients yet."
      noMatch="No client matches the search."
      count={props.items.length}
      path="/admin/clients"
      page={props}
    >
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
    </SearchListPage>
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
      <EnabledBadge enabled={client.enabled} />
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
    <CreatePage
      chrome={props.chrome}
      title="New client"
      listPath="/admin/clients"
      listLabel="Clients"
      error={props.error}
      submitLabel="Create client"
    >
      <ClientFields values={props.values} options={props.options} error={props.error} />
    </CreatePage>
  );
}
