/** The grants page: token families filtered by client and/or user, each revocable; bulk revocation by filter. */
import type { GrantView } from '../../src/admin';
import { ActionsHeading, Badge, Checkbox, Time } from './components';
import { ListPage } from './frames';
import type { AdminChrome } from './layout';

export interface GrantFilters {
  client_id: string;
  user_id: string;
  active: boolean;
}

/**
 * Names of the clients and users on the page, by id: a name, null when the client or user no longer
 * exists, absent when it was not looked up (the row then shows the id alone).
 */
export interface GrantNames {
  clients: ReadonlyMap<string, string | null>;
  users: ReadonlyMap<string, string | null>;
}

export interface GrantListPageProps {
  chrome: AdminChrome;
  items: GrantView[];
  names?: GrantNames;
  filters: GrantFilters;
  cursor: string | undefined;
  nextCursor: string | null;
}

function StatusBadge({ status }: { status: GrantView['status'] }) {
  if (status === 'active') return <Badge tone="ok">active</Badge>;
  if (status === 'revoked') return <Badge tone="off">revoked</Badge>;
  return <Badge tone="plain">expired</Badge>;
}

/** The query of a bulk revocation (or a filter) as a URL query string. */
export function filterQuery(filters: Partial<GrantFilters>): string {
  const query = new URLSearchParams();
  if (filters.client_id) query.set('client_id', filters.client_id);
  if (filters.user_id) query.set('user_id', filters.user_id);
  if (filters.active) query.set('active', 'true');
  return query.toString();
}

/**
 * On a client's or a user's page: the links to its grants and to the confirmation that revokes them all
 * (`filter`: `client_id=…` or `user_id=…`, its value already encoded).
 */
export function GrantLinks({ filter }: { filter: string }) {
  return (
    <>
      <a class="button secondary" href={`/admin/grants?${filter}`}>
        Grants
      </a>
      <a class="button secondary" href={`/admin/grants/revoke-all?${filter}`}>
        Revoke all grants…
      </a>
    </>
  );
}

/** A client or user of a grant: its name linked, the id below it; the id alone when it is gone. */
function Party({ href, id, name }: { href: string; id: string; name: string | null | undefined }) {
  if (name === null) {
    return (
      <>
        <code>{id}</code>
        <span class="hint">deleted</span>
      </>
    );
  }
  if (name === undefined || name === id) {
    return (
      <a href={href}>
        <code>{id}</code>
      </a>
    );
  }
  return (
    <>
      <a href={href} title={id}>
        {name}
      </a>
      <span class="hint">
        <code>{id}</code>
      </span>
    </>
  );
}

export function GrantListPage(props: GrantListPageProps) {
  const { filters } = props;
  const bulk = filterQuery({ client_id: filters.client_id, user_id: filters.user_id });
  return (
    <ListPage
      chrome={props.chrome}
      title="Grants"
      header={
        <>
          <p class="muted">
            A grant is one token family: what a user allowed a client, with its access and refresh tokens.
            Revoking it makes its access tokens inactive at once and ends its refresh tokens.
          </p>
          <form method="get" action="/admin/grants" class="toolbar">
            <div class="field">
              <label for="f-client_id">Client ID</label>
              <input
                id="f-client_id"
                name="client_id"
                type="text"
                value={filters.client_id}
                maxlength={255}
              />
            </div>
            <div class="field">
              <label for="f-user_id">User ID</label>
              <input id="f-user_id" name="user_id" type="text" value={filters.user_id} maxlength={255} />
            </div>
            <Checkbox name="active" value="true" label="Active only" checked={filters.active} />
            <button type="submit" class="secondary">
              Filter
            </button>
            {bulk !== '' && (
              <a class="button danger" href={`/admin/grants/revoke-all?${bulk}`}>
                Revoke all active grants of this filter…
              </a>
            )}
          </form>
        </>
      }
      caption="Grants"
      columns={['Grant', 'Client', 'User', 'Status', 'Created', <ActionsHeading />]}
      empty="No grants match."
      count={props.items.length}
      path="/admin/grants"
      params={{
        client_id: filters.client_id,
        user_id: filters.user_id,
        active: filters.active ? 'true' : undefined,
      }}
      page={props}
    >
      {props.items.map((grant) => (
        <tr>
          <td class="id">
            <code>{grant.id}</code>
            <span class="hint">
              <code>{grant.grant_type}</code> · {grant.scope}
            </span>
          </td>
          <td class="id">
            <Party
              href={`/admin/clients/${encodeURIComponent(grant.client_id)}`}
              id={grant.client_id}
              name={props.names?.clients.get(grant.client_id)}
            />
          </td>
          <td class="id">
            {grant.user_id === null ? (
              '—'
            ) : (
              <Party
                href={`/admin/users/${encodeURIComponent(grant.user_id)}`}
                id={grant.user_id}
                name={props.names?.users.get(grant.user_id)}
              />
            )}
          </td>
          <td>
            <StatusBadge status={grant.status} />
          </td>
          <td>
            <Time secs={grant.created_at} />
            <span class="hint">
              expires <Time secs={grant.expires_at} />
            </span>
          </td>
          <td class="nowrap">
            {grant.status === 'active' && (
              <a
                class="button small secondary"
                href={`/admin/grants/${encodeURIComponent(grant.id)}/revoke`}
                aria-label={`Revoke grant ${grant.id}`}
              >
                Revoke…
              </a>
            )}
          </td>
        </tr>
      ))}
    </ListPage>
  );
}
