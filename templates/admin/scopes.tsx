/**
 * The scope pages: the list (built-in, from configuration, defined here), the create form, and one scope
 * with its edit form. Built-in and configured scopes are shown read-only.
 */
import type { ScopeView } from '../../src/admin/scopes';
import { Badge, Checkbox, CodeLink, type FormError, ListToolbar, TextField } from './components';
import { CreatePage, type ListingProps, ListPage, RecordPage } from './frames';
import type { AdminChrome } from './layout';

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
      {withName && (
        <TextField
          name="name"
          label="Name"
          hint="As clients request it, e.g. orders:read. Cannot be changed later."
          value={values.name}
          error={error}
          maxlength={128}
          spellcheck={false}
        />
      )}
      <TextField
        name="description"
        label="Description"
        hint="Plain words shown on the consent and device pages."
        value={values.description}
        error={error}
        maxlength={200}
      />
      <fieldset>
        <legend>Options</legend>
        <Checkbox
          name="advertise"
          label="Advertised (listed in discovery scopes_supported)"
          checked={values.advertise}
        />
      </fieldset>
    </>
  );
}

export type ScopeListPageProps = ListingProps<ScopeView>;

export function ScopeListPage(props: ScopeListPageProps) {
  return (
    <ListPage
      chrome={props.chrome}
      title="Scopes"
      header={<ListToolbar newHref="/admin/scopes/new" newLabel="New scope" />}
      caption="Scopes"
      columns={['Name', 'Description', 'API', 'Source']}
      empty="No scopes."
      count={props.items.length}
      path="/admin/scopes"
      page={props}
    >
      {props.items.map((scope) => (
        <tr>
          <td>
            <CodeLink href={scope.read_only ? null : scopePath(scope.name)}>{scope.name}</CodeLink>
          </td>
          <td>{scope.description}</td>
          <td>{scope.resource === null ? '—' : <code>{scope.resource}</code>}</td>
          <td>
            <SourceBadges source={scope.source} advertise={scope.advertise} />
          </td>
        </tr>
      ))}
    </ListPage>
  );
}

export interface ScopeCreatePageProps {
  chrome: AdminChrome;
  values: ScopeFormValues;
  error: FormError | null;
}

export function ScopeCreatePage(props: ScopeCreatePageProps) {
  return (
    <CreatePage
      chrome={props.chrome}
      title="New scope"
      listPath="/admin/scopes"
      listLabel="Scopes"
      error={props.error}
      submitLabel="Create scope"
    >
      <ScopeFields values={props.values} error={props.error} withName={true} />
    </CreatePage>
  );
}

export interface ScopePageProps {
  chrome: AdminChrome;
  scope: ScopeView;
  values: ScopeFormValues;
  error: FormError | null;
}

/** One scope: its facts and, for one defined here, the edit form and the way to delete it. */
export function ScopePage({ chrome, scope, values, error }: ScopePageProps) {
  return (
    <RecordPage
      chrome={chrome}
      title={scope.name}
      listPath="/admin/scopes"
      listLabel="Scopes"
      error={error}
      path={scopePath(scope.name)}
      readOnly={scope.read_only}
      readOnlyNote={<>This scope is {SOURCE_LABELS[scope.source]}: it cannot be changed here.</>}
      facts={
        <>
          <dt>Description</dt>
          <dd>{scope.description}</dd>
          <dt>Source</dt>
          <dd>
            <SourceBadges source={scope.source} advertise={scope.advertise} />
          </dd>
          <dt>API</dt>
          <dd>{scope.resource === null ? '—' : <code>{scope.resource}</code>}</dd>
        </>
      }
      updatedAt={scope.updated_at}
    >
      <ScopeFields values={values} error={error} withName={false} />
    </RecordPage>
  );
}
