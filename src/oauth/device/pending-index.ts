/**
 * Keeps the `device_authorizations` index (DeviceAuthorizationRecord, src/storage/ports.ts) of pending RFC 8628
 * device authorizations for operators. The AuthActor stays the source of truth and the index is a view:
 * its writes happen after the actor accepted the change, in the same request (so a listing made after
 * the response sees it), and a failed write is logged, never answered to the device or the user. A row
 * missing from the index only hides a pending authorization from the admin listing until it expires; a
 * row left behind is removed by the sweep once expired (worker/jobs/scheduled.ts).
 */
import type { DeviceAuthorizationRecord } from '../../storage/ports';
import type { OAuthContext } from '../ports';

type IndexContext = Pick<OAuthContext, 'storage'>;

/** Lists a device authorization the AuthActor has just stored. */
export function indexPendingDevice(ctx: IndexContext, record: DeviceAuthorizationRecord): Promise<void> {
  return tolerated('put', () => ctx.storage.deviceAuthorizations.put(record));
}

/** Drops a user code from the listing once it is approved, denied or expired by an operator. */
export function unindexDevice(ctx: IndexContext, userCode: string): Promise<void> {
  return tolerated('delete', () => ctx.storage.deviceAuthorizations.delete(userCode));
}

async function tolerated(operation: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'device authorization index not updated',
        operation,
        error: error instanceof Error ? error.name : 'unknown error',
      }),
    );
  }
}
