/** The Events and Audit log pages: paged tables, newest first. */
import type { AuditEntryView, EventView } from '../../src/admin';
import { Pager, TableFrame, Time } from './components';
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

export function EventsTable({ events, caption }: { events: EventView[]; caption: string }) {
  return (
    <TableFrame caption={caption} count={events.length} empty="No events yet.">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">Event</th>
          <th scope="col">Actor</th>
          <th scope="col">Target</th>
          <th scope="col">IP</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr>
            <td>
              <Time secs={event.occurred_at} />
            </td>
            <td class="nowrap">
              <code>{event.type}</code>
            </td>
            <td>{event.actor === null ? '—' : actorName(event.metadata, event.actor.id)}</td>
            <td>{event.target === null ? '—' : <Target kind={event.target.kind} id={event.target.id} />}</td>
            <td>{event.ip ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </TableFrame>
  );
}

export interface LogPageProps<T> {
  chrome: AdminChrome;
  items: T[];
  cursor: string | undefined;
  nextCursor: string | null;
}

export function EventsPage(props: LogPageProps<EventView>) {
  return (
    <AdminLayout chrome={props.chrome} title="Events">
      <p class="muted">Recent events, newest first.</p>
      <EventsTable events={props.items} caption="Events" />
      <Pager path="/admin/events" params={{}} cursor={props.cursor} nextCursor={props.nextCursor} />
    </AdminLayout>
  );
}

/** Metadata without what other columns already show. */
function details(entry: AuditEntryView): string {
  const { actor_username: _name, ...rest } = entry.metadata;
  return JSON.stringify(rest);
}

export function AuditPage(props: LogPageProps<AuditEntryView>) {
  return (
    <AdminLayout chrome={props.chrome} title="Audit log">
      <p class="muted">Every change made by an administrator, newest first.</p>
      <TableFrame caption="Audit log" count={props.items.length} empty="No changes recorded yet.">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">IP and user agent</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
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
                <code>{details(entry)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </TableFrame>
      <Pager path="/admin/audit" params={{}} cursor={props.cursor} nextCursor={props.nextCursor} />
    </AdminLayout>
  );
}
