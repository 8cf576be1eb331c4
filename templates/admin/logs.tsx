/** The Events and Audit log pages: paged tables, newest first. */
import type { AuditEntryView, EventView } from '../../src/admin';
import { Pager, TableFrame, Time } from './components';
import { ListPage } from './frames';
import { type AdminChrome, AdminLayout } from './layout';

/** Where a target of an event or audit entry can be looked at. */
function targetHref(kind: string, id: string | null): string | null {
  if (id === null) return null;
  if (kind === 'client') return `/admin/clients/${encodeURIComponent(id)}`;
  if (kind === 'user') return `/admin/users/${encodeURIComponent(id)}`;
  return null;
}

export function Target({ kind, id }: { kind: string; id: string | null }) {
  const href = targetHref(kind, id);
  return (
    <>
      {kind}
      {id !== null && <> {href === null ? <code>{id}</code> : <a href={href}>{id}</a>}</>}
    </>
  );
}

function actorName(metadata: Record<string, unknown>, id: string): string {
  return typeof metadata.actor_username === 'string' ? metadata.actor_username : id;
}

/** What an event is about: its target (admin actions), else its client and user. */
function Subject({ event }: { event: EventView }) {
  if (event.target !== null) return <Target kind={event.target.kind} id={event.target.id} />;
  if (event.client_id === null && event.user_id === null) return <>—</>;
  return (
    <>
      {event.client_id !== null && <Target kind="client" id={event.client_id} />}
      {event.client_id !== null && event.user_id !== null && <br />}
      {event.user_id !== null && <Target kind="user" id={event.user_id} />}
    </>
  );
}

export function EventsTable({
  events,
  caption,
  empty = 'No events yet.',
}: {
  events: EventView[];
  caption: string;
  empty?: string;
}) {
  return (
    <TableFrame
      caption={caption}
      count={events.length}
      empty={empty}
      columns={['Time', 'Event', 'Severity', 'Actor', 'About', 'IP']}
    >
      {events.map((event) => (
        <tr>
          <td>
            <Time secs={event.occurred_at} />
          </td>
          <td class="nowrap">
            <code>{event.type}</code>
            {typeof event.metadata.action === 'string' && (
              <>
                {' '}
                <code>{event.metadata.action}</code>
              </>
            )}
            {typeof event.metadata.event_type === 'string' && (
              <>
                {' '}
                <code>{event.metadata.event_type}</code>
              </>
            )}
          </td>
          <td>{event.severity}</td>
          <td>{event.actor === null ? '—' : actorName(event.metadata, event.actor.id)}</td>
          <td>
            <Subject event={event} />
          </td>
          <td>{event.ip ?? '—'}</td>
        </tr>
      ))}
    </TableFrame>
  );
}

export interface LogPageProps<T> {
  chrome: AdminChrome;
  items: T[];
  cursor: string | undefined;
  nextCursor: string | null;
}

export function EventsPage(props: LogPageProps<EventView> & { type: string }) {
  return (
    <AdminLayout chrome={props.chrome} title="Events">
      <p class="muted">
        Recent events from the event bus, newest first (they arrive within seconds). Every admin change is
        also in the <a href="/admin/audit">audit log</a>.
      </p>
      <form method="get" action="/admin/events" class="toolbar">
        <div class="field">
          <label for="f-type">Event type</label>
          <input
            id="f-type"
            name="type"
            type="search"
            value={props.type}
            maxlength={64}
            placeholder="token_created, admin_action, event_dead_lettered…"
          />
        </div>
        <button type="submit" class="secondary">
          Filter
        </button>
      </form>
      <EventsTable
        events={props.items}
        caption="Events"
        empty={props.type === '' ? 'No events yet.' : 'No event of this type.'}
      />
      <Pager path="/admin/events" params={{ type: props.type }} page={props} />
    </AdminLayout>
  );
}

/** Nested objects deeper than this are shown as compact JSON. */
const MAX_DETAIL_DEPTH = 4;

function detailValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Metadata as `key: value` lines: nested objects flattened with dotted keys, arrays (and anything nested
 * deeper than MAX_DETAIL_DEPTH) as compact JSON, null as a dash.
 */
export function detailLines(metadata: Record<string, unknown>, prefix = '', depth = 0): [string, string][] {
  const lines: [string, string][] = [];
  for (const [key, value] of Object.entries(metadata)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    const nested =
      typeof value === 'object' && value !== null && !Array.isArray(value) && depth < MAX_DETAIL_DEPTH;
    const entries = nested ? Object.keys(value).length : 0;
    if (nested && entries > 0) lines.push(...detailLines(value as Record<string, unknown>, name, depth + 1));
    else lines.push([name, detailValue(value)]);
  }
  return lines;
}

/** Metadata without what other columns already show, one `key: value` line each. */
function Details({ entry }: { entry: AuditEntryView }) {
  const { actor_username: _name, ...rest } = entry.metadata;
  const lines = detailLines(rest);
  if (lines.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="details">
      {lines.map(([key, value]) => (
        <li>
          <span class="key">{key}</span>: {value}
        </li>
      ))}
    </ul>
  );
}

export function AuditPage(props: LogPageProps<AuditEntryView>) {
  return (
    <ListPage
      chrome={props.chrome}
      title="Audit log"
      header={<p class="muted">Every change made by an administrator, newest first.</p>}
      caption="Audit log"
      columns={['Time', 'Action', 'Actor', 'Target', 'IP and user agent', 'Details']}
      empty="No changes recorded yet."
      count={props.items.length}
      path="/admin/audit"
      page={props}
    >
      {props.items.map((entry) => (
        <tr>
          <td>
            <Time secs={entry.created_at} />
          </td>
          <td class="nowrap">
            <code>{entry.action}</code>
          </td>
          <td>
            {actorName(entry.metadata, entry.actor_id)} <span class="muted">({entry.actor_type})</span>
          </td>
          <td class="id">
            <Target kind={entry.target_kind} id={entry.target_id} />
          </td>
          <td>
            {entry.ip ?? '—'}
            {entry.user_agent !== null && (
              <span class="hint" title={entry.user_agent}>
                {entry.user_agent.length > 40 ? `${entry.user_agent.slice(0, 40)}…` : entry.user_agent}
              </span>
            )}
          </td>
          <td class="wide">
            <Details entry={entry} />
          </td>
        </tr>
      ))}
    </ListPage>
  );
}
