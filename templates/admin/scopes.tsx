/**
 * The scope pages: the list (built-in, from configuration, defined here), the create form, and one scope
 * with its edit form. Built-in and configured scopes are shown read-only.
 */
import type { ScopeView } from '../../src/admin/scopes';
import { Badge, CodeLink, FieldList, type FieldSpec, type FormError, OptionBoxes } from './components';
import { collectionPages } from './frames';

/** The scope form as the administrator filled it in (kept when a change is refused). */
export interface ScopeFormValues {
  name: string;
  description: string;
  advertise: boolean;
}

const SOURCE_LABELS: Record<ScopeView['source'], string> = {
  built_in: 'built-in',
  configuration: 'from configuration',
  admin: 'defined here',
};

/**
 * One scope's page. Under `by-name/`, so that every valid scope name has a page: `/admin/scopes/new` is the
 * create form, and a scope may well be called `new`.
 */
export const scopePath = (name: string) => `/admin/scopes/by-name/${encodeURIComponent(name)}`;

/** Where a scope or an API comes from, and whether discovery lists it. */
export function SourceBadges({ source, advertise }: { source: ScopeView['source']; advertise?: boolean }) {
  return (
    <>
      <Badge tone={source === 'admin' ? 'ok' : 'plain'}>{SOURCE_LABELS[source]}</Badge>
      {advertise === false && (
        <>
          {' '}
          <Badge tone="off">not advertised</Badge>
        </>
      )}
    </>
  );
}

const NAME_FIELD: FieldSpec<ScopeFormValues> = {
  name: 'name',
  label: 'Name',
  hint: 'As clients request it, e.g. orders:read. Cannot be changed later.',
  maxlength: 128,
  spellcheck: false,
};

const DESCRIPTION_FIELD: FieldSpec<ScopeFormValues> = {
  name: 'description',
  label: 'Description',
  hint: 'Plain words shown on the consent and device pages.',
  maxlength: 200,
};

function ScopeFields({
  values,
  error,
  withName,
}: {
  values: ScopeFormValues;
  error: FormError | null;
  withName: boolean;
}) {
  return (
    <>
      <FieldList
        fields={withName ? [NAME_FIELD, DESCRIPTION_FIELD] : [DESCRIPTION_FIELD]}
        values={values}
        error={error}
      />
      <OptionBoxes
        legend="Options"
        values={values}
        labels={{ advertise: 'Advertised (listed in discovery scopes_supported)' }}
      />
    </>
  );
}

/** The API a scope belongs to, or a dash. */
function ScopeResource({ scope }: { scope: ScopeView }) {
  return <>{scope.resource === null ? '—' : <code>{scope.resource}</code>}</>;
}

/** The scope pages: the listing, the create form, and one scope (read-only when built in or configured). */
export const SCOPE_PAGES = collectionPages<ScopeView, ScopeFormValues>({
  collection: { title: 'Scopes', path: '/admin/scopes', newLabel: 'New scope', createLabel: 'Create scope' },
  columns: [
    {
      heading: 'Name',
      cell: (scope) => (
        <CodeLink href={scope.read_only ? null : scopePath(scope.name)}>{scope.name}</CodeLink>
      ),
    },
    { heading: 'Description', cell: (scope) => scope.description },
    { heading: 'API', cell: (scope) => <ScopeResource scope={scope} /> },
    {
      heading: 'Source',
      cell: (scope) => <SourceBadges source={scope.source} advertise={scope.advertise} />,
    },
  ],
  empty: 'No scopes.',
  // The name is chosen once, on the create form: it names the scope's page.
  fields: ({ values, error, item }) => <ScopeFields values={values} error={error} withName={item === null} />,
  record: (scope) => ({
    title: scope.name,
    path: scopePath(scope.name),
    facts: [
      ['Description', scope.description],
      ['Source', <SourceBadges source={scope.source} advertise={scope.advertise} />],
      ['API', <ScopeResource scope={scope} />],
    ],
    updatedAt: scope.updated_at,
    readOnlyNote: scope.read_only ? (
      <>This scope is {SOURCE_LABELS[scope.source]}: it cannot be changed here.</>
    ) : undefined,
  }),
});
