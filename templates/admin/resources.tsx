/**
 * The API pages (protected resources): the list (from configuration, defined here), the create form, and
 * one API with its edit form. APIs from configuration are shown read-only.
 */
import type { ResourceView } from '../../src/admin/resources';
import { CheckboxGroup, CodeLink, type FormError, ListToolbar, SelectField, TextField } from './components';
import { CreatePage, type ListingProps, ListPage, RecordPage } from './frames';
import type { AdminChrome } from './layout';
import { SourceBadges, scopePath } from './scopes';

/** The API form as the administrator filled it in (kept when a change is refused). */
export interface ResourceFormValues {
  identifier: string;
  name: string;
  scopes: ReadonlySet<string>;
  /** `jwt`, `opaque`, or empty for the server's default. */
  access_token_format: string;
  /** Seconds, or empty for the server's default. */
  access_token_ttl_secs: string;
}

export interface ResourceFormOptions {
  /** The scopes defined here (only those can belong to an API defined here). */
  scopes: readonly string[];
  /** The server's access-token lifetime (the default and the upper bound). */
  defaultTtlSecs: number;
}

/**
 * One API's page. No id collides with `/admin/resources/new` (the create form): a stored API's id is random
 * (22 base64url characters) and a configured one's is its identifier, an absolute URI (it has a colon).
 */
export const resourcePath = (id: string) => `/admin/resources/${encodeURIComponent(id)}`;

const FORMAT_OPTIONS = [
  { value: '', label: 'The server’s default' },
  { value: 'jwt', label: 'jwt (signed, checked locally by the API)' },
  { value: 'opaque', label: 'opaque (checked through introspection)' },
];

function ResourceFields(props: {
  values: ResourceFormValues;
  options: ResourceFormOptions;
  error: FormError | null;
}) {
  const { values, options, error } = props;
  return (
    <>
      <TextField
        name="identifier"
        label="Identifier"
        hint="The API's absolute URI (no fragment): the aud of its tokens, e.g. https://api.example.com/orders."
        value={values.identifier}
        error={error}
        maxlength={255}
        spellcheck={false}
      />
      <TextField name="name" label="Name" value={values.name} error={error} maxlength={200} />
      <CheckboxGroup
        name="scopes"
        label="Scopes"
        hint={
          options.scopes.length === 0
            ? 'No scopes are defined here yet: create them on the Scopes page first.'
            : 'Scopes defined here; each belongs to at most one API.'
        }
        options={options.scopes.map((scope) => ({ value: scope, label: <code>{scope}</code> }))}
        checked={values.scopes}
        error={error}
      />
      <SelectField
        name="access_token_format"
        label="Access-token format"
        value={values.access_token_format}
        options={FORMAT_OPTIONS}
        error={error}
      />
      <TextField
        name="access_token_ttl_secs"
        label="Access-token lifetime (seconds)"
        hint={`Empty: the server's ${options.defaultTtlSecs} s. From 60 up to that.`}
        value={values.access_token_ttl_secs}
        error={error}
        maxlength={10}
      />
    </>
  );
}

function TokenFacts({ resource }: { resource: ResourceView }) {
  return (
    <>
      {resource.access_token_format ?? 'default format'},{' '}
      {resource.access_token_ttl_secs === null ? 'default lifetime' : `${resource.access_token_ttl_secs} s`}
    </>
  );
}

/** An API's scopes, space-separated, each a link to its page when `link` gives one; a dash when none. */
function ScopeList({ scopes, link }: { scopes: string[]; link?: (scope: string) => string }) {
  if (scopes.length === 0) return <>—</>;
  return (
    <>
      {scopes.map((scope, index) => (
        <>
          {index > 0 && ' '}
          <CodeLink href={link === undefined ? null : link(scope)}>{scope}</CodeLink>
        </>
      ))}
    </>
  );
}

export type ResourceListPageProps = ListingProps<ResourceView>;

export function ResourceListPage(props: ResourceListPageProps) {
  return (
    <ListPage
      chrome={props.chrome}
      title="APIs"
      header={<ListToolbar newHref="/admin/resources/new" newLabel="New API" />}
      caption="APIs"
      columns={['Identifier', 'Name', 'Scopes', 'Access tokens', 'Source']}
      empty="No APIs yet."
      count={props.items.length}
      path="/admin/resources"
      page={props}
    >
      {props.items.map((resource) => (
        <tr>
          <td class="id">
            <CodeLink href={resource.read_only ? null : resourcePath(resource.id)}>
              {resource.identifier}
            </CodeLink>
          </td>
          <td>{resource.name ?? '—'}</td>
          <td>
            <ScopeList scopes={resource.scopes} />
          </td>
          <td>
            <TokenFacts resource={resource} />
          </td>
          <td>
            <SourceBadges source={resource.source} />
          </td>
        </tr>
      ))}
    </ListPage>
  );
}

export interface ResourceCreatePageProps {
  chrome: AdminChrome;
  values: ResourceFormValues;
  options: ResourceFormOptions;
  error: FormError | null;
}

export function ResourceCreatePage(props: ResourceCreatePageProps) {
  return (
    <CreatePage
      chrome={props.chrome}
      title="New API"
      listPath="/admin/resources"
      listLabel="APIs"
      error={props.error}
      submitLabel="Create API"
    >
      <ResourceFields values={props.values} options={props.options} error={props.error} />
    </CreatePage>
  );
}

export interface ResourcePageProps extends ResourceCreatePageProps {
  resource: ResourceView;
}

/** One API: its facts and, for one defined here, the edit form and the way to delete it. */
export function ResourcePage({ chrome, resource, values, options, error }: ResourcePageProps) {
  return (
    <RecordPage
      chrome={chrome}
      title={resource.name ?? resource.identifier}
      listPath="/admin/resources"
      listLabel="APIs"
      error={error}
      path={resourcePath(resource.id)}
      readOnly={resource.read_only}
      readOnlyNote={
        <>
          This API is from configuration (<code>OAUTH2_PROTECTED_RESOURCES</code>): it cannot be changed here.
        </>
      }
      facts={
        <>
          <dt>Identifier</dt>
          <dd>
            <code>{resource.identifier}</code>
          </dd>
          <dt>Scopes</dt>
          <dd>
            <ScopeList scopes={resource.scopes} link={resource.read_only ? undefined : scopePath} />
          </dd>
          <dt>Access tokens</dt>
          <dd>
            <TokenFacts resource={resource} />
          </dd>
          <dt>Source</dt>
          <dd>
            <SourceBadges source={resource.source} />
          </dd>
        </>
      }
      updatedAt={resource.updated_at}
    >
      <ResourceFields values={values} options={options} error={error} />
    </RecordPage>
  );
}
