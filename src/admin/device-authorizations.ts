/**
 * Pending RFC 8628 device authorizations for operators: the listing reads the `device_authorizations`
 * index (a view kept by src/oauth/device/pending-index.ts); expiring one asks the AuthActor of its user
 * code, the source of truth, so that the device's next poll answers expired_token (RFC 8628 §3.5) and
 * the code can no longer be approved. Only the user code, client and scope are shown: never a device code.
 */
import { z } from 'zod';
import { formatUserCode, normalizeUserCode, unindexDevice } from '../oauth/device';
import { NotFoundError } from '../oauth/errors';
import type { DeviceAuthorizationRecord } from '../storage/ports';
import { recordAudit } from './audit';
import type { AdminContext } from './context';
import { type PageView, pageOf, pageSchema, parsePageQuery, type Query } from './paging';

export const DeviceAuthorizationViewSchema = z
  .object({
    user_code: z.string().meta({ description: 'As the user types it', example: 'BCDF-GHJK' }),
    client_id: z.string(),
    client_name: z.string().nullable().meta({ description: 'null when the client no longer exists' }),
    scope: z.string().meta({ description: 'Space-separated requested scopes' }),
    created_at: z.number().int().meta({ description: 'Unix time, seconds' }),
    expires_at: z.number().int().meta({ description: 'Unix time, seconds' }),
  })
  .meta({ id: 'DeviceAuthorization' });

export const DeviceAuthorizationPageSchema = pageSchema(
  DeviceAuthorizationViewSchema,
  'DeviceAuthorizationPage',
);

export type DeviceAuthorizationView = z.output<typeof DeviceAuthorizationViewSchema>;

/** Distinct clients looked up for one page (the registry caches them); others are shown by id alone. */
const MAX_CLIENT_LOOKUPS = 50;

/** The pending, unexpired device authorizations, newest first, with their clients' names. */
export async function listDeviceAuthorizations(
  ctx: AdminContext,
  query: Query,
): Promise<PageView<DeviceAuthorizationView>> {
  const page = parsePageQuery(query);
  const now = ctx.clock.nowSecs();
  const records = await pageOf(
    () => ctx.storage.deviceAuthorizations.list(page, now),
    (r) => r,
  );
  const names = await clientNames(ctx, records.items);
  return {
    items: records.items.map((record) => deviceAuthorizationView(record, names.get(record.clientId) ?? null)),
    next_cursor: records.next_cursor,
  };
}

/**
 * The pending device authorization of a user code as shown or typed (any case, with or without the
 * dash), as its AuthActor knows it. 404 when none is pending (unknown, decided or expired).
 */
export async function getPendingDevice(
  ctx: AdminContext,
  input: string,
): Promise<{ user_code: string; client_id: string; scope: string; expires_at: number }> {
  const userCode = pendingUserCode(input);
  const found = await ctx.auth.lookupUserCode(userCode);
  if (!found) throw new NotFoundError('no such device authorization');
  return {
    user_code: formatUserCode(userCode),
    client_id: found.clientId,
    scope: found.scope,
    expires_at: found.expiresAt,
  };
}

/**
 * Expires a pending device authorization now, given its user code as shown or typed. 404 when no
 * authorization of that code is pending (unknown, decided or expired).
 */
export async function expireDeviceAuthorization(ctx: AdminContext, input: string): Promise<void> {
  const userCode = pendingUserCode(input);
  const expired = await ctx.auth.expireUserCode(userCode);
  // A row of an authorization that is no longer pending is stale either way.
  await unindexDevice(ctx, userCode);
  if (!expired) throw new NotFoundError('no such device authorization');
  await recordAudit(
    ctx,
    'device_authorization.expire',
    { kind: 'device_authorization', id: formatUserCode(userCode) },
    { device_client_id: expired.clientId, scope: expired.scope },
  );
}

/** The normalised user code of `input`; 404 when it cannot be one (it never reaches an actor). */
function pendingUserCode(input: string): string {
  const userCode = normalizeUserCode(input);
  if (userCode === null) throw new NotFoundError('no such device authorization');
  return userCode;
}

function deviceAuthorizationView(
  record: DeviceAuthorizationRecord,
  clientName: string | null,
): DeviceAuthorizationView {
  return {
    user_code: formatUserCode(record.userCode),
    client_id: record.clientId,
    client_name: clientName,
    scope: record.scope,
    created_at: record.createdAt,
    expires_at: record.expiresAt,
  };
}

async function clientNames(
  ctx: AdminContext,
  records: DeviceAuthorizationRecord[],
): Promise<Map<string, string | null>> {
  const ids = [...new Set(records.map((record) => record.clientId))].slice(0, MAX_CLIENT_LOOKUPS);
  const clients = await Promise.all(ids.map((id) => ctx.clients.get(id)));
  return new Map(ids.map((id, i) => [id, clients[i]?.clientName ?? null]));
}
