/** The denylist page: entries (filter by kind, paging), the add form, and a remove link per entry. */
import type { DenyEntryView } from '../../src/admin';
import {
  ActionsHeading,
  Badge,
  ErrorSummary,
  FieldList,
  type FieldSpec,
  type FormError,
  FormSection,
  Time,
} from './components';
import { ListPage } from './frames';
import type { AdminChrome } from './layout';

export interface DenyFormValues {
  kind: string;
  value: string;
  reason: string;
  /** Seconds from now, or '' for never. */
  expires_in: string;
}

export const DENY_KIND_LABELS: Record<string, string> = {
  ip: 'IP address or CIDR block',
  user: 'User ID',
  username: 'Username',
  email: 'E-mail address',
  client: 'Client ID',
};

export const EXPIRY_OPTIONS = [
  { value: '', label: 'Never' },
  { value: '3600', label: 'In 1 hour' },
  { value: '86400', label: 'In 24 hours' },
  { value: '604800', label: 'In 7 days' },
  { value: '2592000', label: 'In 30 days' },
  { value: '31536000', label: 'In 1 year' },
];

export interface DenylistPageProps {
  chrome: AdminChrome;
  items: DenyEntryView[];
  kind: string;
  cursor: string | undefined;
  nextCursor: string | null;
  values: DenyFormValues;
  error: FormError | null;
}

const KIND_OPTIONS = Object.entries(DENY_KIND_LABELS).map(([value, label]) => ({ value, label }));

const DENY_FIELDS: FieldSpec<DenyFormValues>[] = [
  { name: 'kind', label: 'Kind', options: KIND_OPTIONS },
  { name: 'value', label: 'Value', required: true, maxlength: 320 },
  { name: 'reason', label: 'Reason (optional)', maxlength: 500 },
  { name: 'expires_in', label: 'Expires', options: EXPIRY_OPTIONS },
];

function AddForm({ chrome, values, error }: Pick<DenylistPageProps, 'chrome' | 'values' | 'error'>) {
  return (
    <FormSection
      id="add"
      title="Add an entry"
      intro={
        <p class="muted">
          Denied addresses get 403 before anything else; denied users, usernames and e-mails cannot sign in
          (their sessions end now); a denied client gets no tokens.
        </p>
      }
      action="/admin/denylist"
      csrfToken={chrome.csrfToken}
      submitLabel="Add to denylist"
    >
      <div class="grid-2">
        <FieldList fields={DENY_FIELDS} values={values} error={error} />
      </div>
    </FormSection>
  );
}

export function DenylistPage(props: DenylistPageProps) {
  return (
    <ListPage
      chrome={props.chrome}
      title="Denylist"
      header={
        <>
          <ErrorSummary error={props.error} />
          <AddForm chrome={props.chrome} values={props.values} error={props.error} />
          <h2>Entries</h2>
          <form method="get" action="/admin/denylist" class="toolbar">
            <div class="field">
              <label for="f-filter-kind">Kind</label>
              <select id="f-filter-kind" name="kind">
                <option value="" selected={props.kind === ''}>
                  All kinds
                </option>
                {KIND_OPTIONS.map((option) => (
                  <option value={option.value} selected={option.value === props.kind}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="secondary">
              Filter
            </button>
          </form>
        </>
      }
      caption="Denylist entries"
      columns={['Kind', 'Value', 'Reason', 'Status', 'Added', 'Expires', <ActionsHeading />]}
      empty="No entries."
      count={props.items.length}
      path="/admin/denylist"
      params={{ kind: props.kind }}
      page={props}
    >
      {props.items.map((entry) => (
        <tr>
          <td>{DENY_KIND_LABELS[entry.kind] ?? entry.kind}</td>
          <td class="id">
            <code>{entry.value}</code>
          </td>
          <td>{entry.reason ?? '—'}</td>
          <td>{entry.active ? <Badge tone="off">in force</Badge> : <Badge tone="plain">expired</Badge>}</td>
          <td>
            <Time secs={entry.created_at} />
            <span class="hint">by {entry.created_by}</span>
          </td>
          <td>
            <Time secs={entry.expires_at} />
          </td>
          <td class="nowrap">
            <a
              class="button small secondary"
              href={`/admin/denylist/${encodeURIComponent(entry.id)}/remove`}
              aria-label={`Remove ${entry.kind} ${entry.value}`}
            >
              Remove…
            </a>
          </td>
        </tr>
      ))}
    </ListPage>
  );
}
