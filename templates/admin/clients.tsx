/** The client list (search, paging), the create form, and the client form fields it shares with the edit form. */
import type { ClientView } from '../../src/admin';
import {
  Badge,
  CheckboxGroup,
  codeOptions,
  EnabledBadge,
  type FormError,
  OptionBoxes,
  SelectField,
  TextArea,
  TextField,
  Time,
} from './components';
import { listAndCreatePages } from './frames';

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
        options={codeOptions(options.grantTypes)}
        checked={values.grant_types}
        error={error}
      />
      <CheckboxGroup
        name="scope"
        label="Scopes"
        hint={`None checked: ${options.defaultScope}. Scope admin gives full access to this admin API.`}
        options={codeOptions(options.scopes)}
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
      <OptionBoxes
        legend="Options"
        values={values}
        labels={{
          enabled: 'Enabled (a disabled client gets no tokens; its tokens turn inactive)',
          first_party: 'First-party (users are not asked for consent)',
        }}
      />
    </>
  );
}

/** One client's page. */
export const clientPath = (clientId: string) => `/admin/clients/${encodeURIComponent(clientId)}`;

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

/** The client listing (with its search) and the create form; one client's page is `ClientPage`. */
export const CLIENT_PAGES = listAndCreatePages<ClientView, ClientFormValues, { options: ClientFormOptions }>({
  collection: {
    title: 'Clients',
    path: '/admin/clients',
    newLabel: 'New client',
    createLabel: 'Create client',
  },
  columns: [
    {
      heading: 'Name',
      cell: (client) => <a href={clientPath(client.client_id)}>{client.client_name ?? client.client_id}</a>,
    },
    { heading: 'Client ID', class: 'id', cell: (client) => <code>{client.client_id}</code> },
    { heading: 'Type', cell: (client) => client.client_type },
    { heading: 'Grant types', cell: (client) => client.grant_types.join(', ') },
    { heading: 'Status', cell: (client) => <ClientBadges client={client} /> },
    {
      heading: 'Created',
      cell: (client) => (client.bootstrap ? <span class="muted">—</span> : <Time secs={client.created_at} />),
    },
  ],
  empty: 'No clients yet.',
  search: { label: 'Search by name or client_id', noMatch: 'No client matches the search.' },
  fields: ClientFields,
});
