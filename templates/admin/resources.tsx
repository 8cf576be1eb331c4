/**
 * The API pages (protected resources): the list (from configuration, defined here), the create form, and
 * one API with its edit form. APIs from configuration are shown read-only.
 */
import type { ResourceView } from '../../src/admin/resources';
import {
  CheckboxGroup,
  CodeLink,
  codeOptions,
  FieldList,
  type FieldSpec,
  type FormError,
} from './components';
import { collectionPages } from './frames';
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

const NAME_FIELDS: FieldSpec<ResourceFormValues>[] = [
  {
    name: 'identifier',
    label: 'Identifier',
    hint: "The API's absolute URI (no fragment): the aud of its tokens, e.g. https://api.example.com/orders.",
    maxlength: 255,
    spellcheck: false,
  },
  { name: 'name', label: 'Name', maxlength: 200 },
];

function ResourceFields(props: {
  values: ResourceFormValues;
  options: ResourceFormOptions;
  error: FormError | null;
}) {
  const { values, options, error } = props;
  return (
    <>
      <FieldList fields={NAME_FIELDS} values={values} error={error} />
      <CheckboxGroup
        name="scopes"
        label="Scopes"
        hint={
          options.scopes.length === 0
            ? 'No scopes are defined here yet: create them on the Scopes page first.'
            : 'Scopes defined here; each belongs to at most one API.'
        }
        options={codeOptions(options.scopes)}
        checked={values.scopes}
        error={error}
      />
      <FieldList
        fields={[
          { name: 'access_token_format', label: 'Access-token format', options: FORMAT_OPTIONS },
          {
            name: 'access_token_ttl_secs',
            label: 'Access-token lifetime (seconds)',
            hint: `Empty: the server's ${options.defaultTtlSecs} s. From 60 up to that.`,
            maxlength: 10,
          },
        ]}
        values={values}
        error={error}
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

/** The API pages: the listing, the create form, and one API (read-only when it is from configuration). */
export const RESOURCE_PAGES = collectionPages<
  ResourceView,
  ResourceFormValues,
  { options: ResourceFormOptions }
>({
  collection: { title: 'APIs', path: '/admin/resources', newLabel: 'New API', createLabel: 'Create API' },
  columns: [
    {
      heading: 'Identifier',
      class: 'id',
      cell: (resource) => (
        <CodeLink href={resource.read_only ? null : resourcePath(resource.id)}>
          {resource.identifier}
        </CodeLink>
      ),
    },
    { heading: 'Name', cell: (resource) => resource.name ?? '—' },
    { heading: 'Scopes', cell: (resource) => <ScopeList scopes={resource.scopes} /> },
    { heading: 'Access tokens', cell: (resource) => <TokenFacts resource={resource} /> },
    { heading: 'Source', cell: (resource) => <SourceBadges source={resource.source} /> },
  ],
  empty: 'No APIs yet.',
  fields: ResourceFields,
  record: (resource) => ({
    title: resource.name ?? resource.identifier,
    path: resourcePath(resource.id),
    facts: [
      ['Identifier', <code>{resource.identifier}</code>],
      ['Scopes', <ScopeList scopes={resource.scopes} link={resource.read_only ? undefined : scopePath} />],
      ['Access tokens', <TokenFacts resource={resource} />],
      ['Source', <SourceBadges source={resource.source} />],
    ],
    updatedAt: resource.updated_at,
    readOnlyNote: resource.read_only ? (
      <>
        This API is from configuration (<code>OAUTH2_PROTECTED_RESOURCES</code>): it cannot be changed here.
      </>
    ) : undefined,
  }),
});
