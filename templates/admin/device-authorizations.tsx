/** The pending device authorizations page (RFC 8628): client, user code, scope, age and time left; expire one. */
import type { DeviceAuthorizationView } from '../../src/admin/device-authorizations';
import { ActionsHeading, Time } from './components';
import { ListPage } from './frames';
import type { AdminChrome } from './layout';

export const DEVICE_AUTHORIZATIONS_PATH = '/admin/device-authorizations';

export interface DeviceAuthorizationListPageProps {
  chrome: AdminChrome;
  items: DeviceAuthorizationView[];
  /** Now (Unix seconds), for the time each authorization has left. */
  now: number;
  cursor: string | undefined;
  nextCursor: string | null;
}

/** The confirmation page (and its form) that expires the authorization of `userCode`. */
export function expirePath(userCode: string): string {
  return `${DEVICE_AUTHORIZATIONS_PATH}/${encodeURIComponent(userCode)}/expire`;
}

/** Seconds left as `4 min 10 s` (or `10 s`). */
export function timeLeft(secs: number): string {
  const left = Math.max(0, secs);
  const minutes = Math.floor(left / 60);
  return minutes > 0 ? `${minutes} min ${left % 60} s` : `${left} s`;
}

function ClientCell({ item }: { item: DeviceAuthorizationView }) {
  const href = `/admin/clients/${encodeURIComponent(item.client_id)}`;
  return (
    <>
      <a href={href}>{item.client_name ?? item.client_id}</a>
      {item.client_name !== null && (
        <span class="hint">
          <code>{item.client_id}</code>
        </span>
      )}
    </>
  );
}

export function DeviceAuthorizationListPage(props: DeviceAuthorizationListPageProps) {
  return (
    <ListPage
      chrome={props.chrome}
      title="Device authorizations"
      header={
        <p class="muted">
          Devices waiting for a user to enter their code (RFC 8628). Expiring one makes the device's next poll
          fail with <code>expired_token</code>; the code can no longer be approved.
        </p>
      }
      caption="Pending device authorizations"
      columns={['Client', 'User code', 'Scope', 'Created', 'Expires in', <ActionsHeading />]}
      empty="No device authorization is pending."
      count={props.items.length}
      path={DEVICE_AUTHORIZATIONS_PATH}
      page={props}
    >
      {props.items.map((item) => (
        <tr data-user-code={item.user_code}>
          <td class="id">
            <ClientCell item={item} />
          </td>
          <td>
            <code>{item.user_code}</code>
          </td>
          <td>{item.scope === '' ? '—' : item.scope}</td>
          <td>
            <Time secs={item.created_at} />
          </td>
          <td>{timeLeft(item.expires_at - props.now)}</td>
          <td class="nowrap">
            <a
              class="button small secondary"
              href={expirePath(item.user_code)}
              aria-label={`Expire device authorization ${item.user_code}`}
            >
              Expire…
            </a>
          </td>
        </tr>
      ))}
    </ListPage>
  );
}
