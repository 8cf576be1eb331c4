/**
 * "Connected apps": the clients that hold a user's live grants (token families), and the user revoking
 * one of them. The /profile page and the /mcp self-service tools both use this; a revocation is the
 * administrators' own (src/admin/grants.ts: the TokenActor first, then the record and an audit entry
 * naming the user as the actor).
 */

import type { AdminContext } from '../admin/context';
import { revokeGrant } from '../admin/grants';
import { NotFoundError } from '../oauth/errors';
import type { OAuthContext } from '../oauth/ports';

/** A page lists at most this many; older grants are still revocable through their client or an admin. */
export const MAX_CONNECTED_APPS = 100;
const MAX_GRANT_ID_LENGTH = 255;

export interface ConnectedApp {
  grant_id: string;
  client_id: string;
  /** The registered name; null when the client has none or is gone. */
  client_name: string | null;
  scope: string;
  /** Unix time, seconds. */
  created_at: number;
  expires_at: number;
}

/** The user's live grants, newest first, with their clients' names. */
export async function listConnectedApps(ctx: OAuthContext, userId: string): Promise<ConnectedApp[]> {
  const page = await ctx.storage.grants.list({
    userId,
    activeAt: ctx.clock.nowSecs(),
    limit: MAX_CONNECTED_APPS,
  });
  const clientIds = [...new Set(page.items.map((grant) => grant.clientId))];
  const clients = await Promise.all(clientIds.map((id) => ctx.clients.get(id)));
  const names = new Map(clientIds.map((id, i) => [id, clients[i]?.clientName ?? null]));
  return page.items.map((grant) => ({
    grant_id: grant.id,
    client_id: grant.clientId,
    client_name: names.get(grant.clientId) ?? null,
    scope: grant.scope,
    created_at: grant.createdAt,
    expires_at: grant.expiresAt,
  }));
}

/**
 * Revokes one of the user's own grants; anybody else's, or an unknown id, is the same 404, so grant ids
 * of other users cannot be probed. `ctx.actor` is the user.
 */
export async function revokeConnectedApp(
  ctx: AdminContext,
  userId: string,
  grantId: string,
): Promise<{ grant_id: string; client_id: string; status: string }> {
  const grant = grantId.length <= MAX_GRANT_ID_LENGTH ? await ctx.storage.grants.get(grantId) : null;
  if (grant?.userId !== userId) throw new NotFoundError('no such grant');
  const revoked = await revokeGrant(ctx, grant.id, 'user_request');
  return { grant_id: revoked.id, client_id: revoked.client_id, status: revoked.status };
}
