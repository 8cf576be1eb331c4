/**
 * The API pages (protected resources): the list (from configuration, defined here), the create form, and
 * one API with its edit form. APIs from configuration are shown read-only.
 */
import type { ResourceView } from '../../src/admin/resources';
import {
  CheckboxGroup,
  CsrfInput,
  ErrorSummary,
  type FormError,
  Pager,
  SelectField,
  TableFrame,
  TextField,
  Time,
} from './components';
import { type AdminChrome, AdminLayout } from './layout';
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

function ScopeList({ scopes }: { scopes: string[] }) {
  if (scopes.length === 0) return <>—</>;
  return (
    <>
      {scopes.map((scope, index) => (
        <>
          {index > 0 && ' '}
          <code>{scope}</code>
        </>
      ))}
    </>
  );
}

export interface ResourceListPageProps {
  chrome: AdminChrome;
  items: ResourceView[];
  cursor: string | undefined;
  nextCursor: string | null;
}

export function ResourceListPage(props: ResourceListPageProps) {
  return (
    <AdminLayout chrome={props.chrome} title="APIs">
      <div class="toolbar">
        <span class="spacer" />
        <a class="button" href="/admin/resources/new">
          New API
        </a>
      </div>
      <TableFrame caption="APIs" count={props.items.length} empty="No APIs yet.">
        <thead>
          <tr>
            <th scope="col">Identifier</th>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Access tokens</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((resource) => (
            <tr>
              <td class="id">
                {resource.read_only ? (
                  <code>{resource.identifier}</code>
                ) : (
                  <a href={resourcePath(resource.id)}>
                    <code>{resource.identifier}</code>
                  </a>
                )}
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
        </tbody>
      </TableFrame>
      <Pager path="/admin/resources" params={{}} cursor={props.cursor} nextCursor={props.nextCursor} />
    </AdminLayout>
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
    <AdminLayout chrome={props.chrome} title="New API" back={{ href: '/admin/resources', label: 'APIs' }}>
      <ErrorSummary error={props.error} />
      <form method="post" action="/admin/resources" class="stack panel">
        <CsrfInput token={props.chrome.csrfToken} />
        <ResourceFields values={props.values} options={props.options} error={props.error} />
        <div class="actions">
          <button type="submit">Create API</button>
          <a class="button secondary" href="/admin/resources">
            Cancel
          </a>
        </div>
      </form>
    </AdminLayout>
  );
}

export interface ResourcePageProps extends ResourceCreatePageProps {
  resource: ResourceView;
}

/** One API: its facts and, for one defined here, the edit form and the way to delete it. */
export function ResourcePage({ chrome, resource, values, options, error }: ResourcePageProps) {
  return (
    <AdminLayout
      chrome={chrome}
      title={resource.name ?? resource.identifier}
      back={{ href: '/admin/resources', label: 'APIs' }}
    >
      <ErrorSummary error={error} />
      <section class="panel" aria-labelledby="facts">
        <h2 id="facts">Details</h2>
        <dl class="facts">
          <dt>Identifier</dt>
          <dd>
            <code>{resource.identifier}</code>
          </dd>
          <dt>Scopes</dt>
          <dd>
            {resource.scopes.length === 0
              ? '—'
              : resource.scopes.map((scope, index) => (
                  <>
                    {index > 0 && ' '}
                    {resource.read_only ? (
                      <code>{scope}</code>
                    ) : (
                      <a href={scopePath(scope)}>
                        <code>{scope}</code>
                      </a>
                    )}
                  </>
                ))}
          </dd>
          <dt>Access tokens</dt>
          <dd>
            <TokenFacts resource={resource} />
          </dd>
          <dt>Source</dt>
          <dd>
            <SourceBadges source={resource.source} />
          </dd>
          <dt>Updated</dt>
          <dd>
            <Time secs={resource.updated_at} />
          </dd>
        </dl>
        {resource.read_only ? (
          <p class="muted">
            This API is from configuration (<code>OAUTH2_PROTECTED_RESOURCES</code>): it cannot be changed
            here.
          </p>
        ) : (
          <div class="actions">
            <a class="button danger" href={`${resourcePath(resource.id)}/delete`}>
              Delete…
            </a>
          </div>
        )}
      </section>
      {!resource.read_only && (
        <section class="panel" aria-labelledby="edit">
          <h2 id="edit">Edit</h2>
          <form method="post" action={resourcePath(resource.id)} class="stack">
            <CsrfInput token={chrome.csrfToken} />
            <ResourceFields values={values} options={options} error={error} />
            <div class="actions">
              <button type="submit">Save changes</button>
            </div>
          </form>
        </section>
      )}
    </AdminLayout>
  );
}
