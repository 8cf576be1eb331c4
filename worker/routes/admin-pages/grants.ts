/**
 * /admin/grants: token families filtered by client and/or user; revoke one, or every active one of a
 * client or user (confirmed first). A bulk revocation does the bounded work of one API call (up to
 * BULK_REVOKE_LIMIT grants, inside the subrequest limits) and says when more remain.
 */
import type { Context, Hono } from 'hono';
import {
  type AdminContext,
  type GrantView,
  getClient,
  getGrant,
  listGrants,
  revokeGrant,
  revokeGrants,
} from '../../../src/admin';
import { InvalidRequestError } from '../../../src/oauth/errors';
import { filterQuery, GrantListPage, type GrantNames } from '../../../templates/admin/grants';
import type { AppEnv } from '../../context';
import { adminContext } from '../../http/admin-context';
import { listQuery, pageChrome, render, seeOther } from './common';
import { registerConfirmedAction } from './confirm';

function bulkFilter(c: Context<AppEnv>): { client_id?: string; user_id?: string } {
  const query = listQuery(c);
  const filter = {
    ...(query.client_id ? { client_id: query.client_id } : {}),
    ...(query.user_id ? { user_id: query.user_id } : {}),
  };
  if (filter.client_id === undefined && filter.user_id === undefined) {
    throw new InvalidRequestError('missing required parameter client_id or user_id');
  }
  return filter;
}

function describeFilter(filter: { client_id?: string; user_id?: string }): string {
  const parts = [
    filter.client_id === undefined ? null : `client ${filter.client_id}`,
    filter.user_id === undefined ? null : `user ${filter.user_id}`,
  ];
  return parts.filter((part) => part !== null).join(' and ');
}

/**
 * Distinct ids looked up per kind for one page of grants: the storage ports have no batch lookup, so a
 * page of up to 200 rows costs at most this many reads of each kind; ids beyond it are shown as they are.
 */
export const MAX_NAME_LOOKUPS = 50;

function distinct(ids: (string | null)[]): string[] {
  return [...new Set(ids.filter((id): id is string => id !== null))].slice(0, MAX_NAME_LOOKUPS);
}

/** A client's name (null: no such client now) from storage, or from configuration for the bootstrap client. */
async function clientName(ctx: AdminContext, clientId: string): Promise<string | null> {
  if (clientId === ctx.config.adminClient?.clientId) return (await getClient(ctx, clientId)).client_name;
  const client = clientId.length <= 255 ? await ctx.storage.clients.get(clientId) : null;
  return client === null ? null : (client.clientName ?? client.clientId);
}

async function username(ctx: AdminContext, userId: string): Promise<string | null> {
  const user = userId.length <= 255 ? await ctx.storage.users.getById(userId) : null;
  return user?.username ?? null;
}

/** The names of the clients and users of a page of grants: one lookup per distinct id, in parallel. */
async function grantNames(ctx: AdminContext, grants: GrantView[]): Promise<GrantNames> {
  const clientIds = distinct(grants.map((grant) => grant.client_id));
  const userIds = distinct(grants.map((grant) => grant.user_id));
  const [clients, users] = await Promise.all([
    Promise.all(clientIds.map((id) => clientName(ctx, id))),
    Promise.all(userIds.map((id) => username(ctx, id))),
  ]);
  return {
    clients: new Map(clientIds.map((id, i) => [id, clients[i] ?? null])),
    users: new Map(userIds.map((id, i) => [id, users[i] ?? null])),
  };
}

export function registerGrantPages(app: Hono<AppEnv>): void {
  app.get('/admin/grants', async (c) => {
    const query = listQuery(c);
    const ctx = adminContext(c);
    const page = await listGrants(ctx, query);
    const { chrome } = await pageChrome(c, 'grants');
    const filters = {
      client_id: query.client_id ?? '',
      user_id: query.user_id ?? '',
      active: query.active === 'true',
    };
    const names = await grantNames(ctx, page.items);
    const props = { chrome, items: page.items, names, filters, cursor: query.cursor };
    return render(c, GrantListPage({ ...props, nextCursor: page.next_cursor }));
  });

  registerConfirmedAction(app, '/admin/grants/revoke-all', {
    section: 'grants',
    async describe(c) {
      const filter = bulkFilter(c);
      return {
        title: 'Revoke all active grants?',
        message: `Every active grant of ${describeFilter(filter)} is revoked: their access tokens become inactive at once and their refresh tokens stop working. This cannot be undone.`,
        confirmLabel: 'Revoke all',
        cancelHref: `/admin/grants?${filterQuery(filter)}`,
      };
    },
    async perform(c) {
      const filter = bulkFilter(c);
      const { revoked, more } = await revokeGrants(adminContext(c), filter);
      const notice = more
        ? `Revoked ${revoked} grants; more remain: use Revoke all again.`
        : `Revoked ${revoked} ${revoked === 1 ? 'grant' : 'grants'}.`;
      return seeOther(c, `/admin/grants?${filterQuery(filter)}`, { notice });
    },
  });

  registerConfirmedAction(app, '/admin/grants/:id/revoke', {
    section: 'grants',
    async describe(c) {
      const grant = await getGrant(adminContext(c), c.req.param('id') ?? '');
      return {
        title: 'Revoke this grant?',
        message: `Grant ${grant.id} of client ${grant.client_id}${grant.user_id === null ? '' : ` and user ${grant.user_id}`}: its access tokens become inactive at once and its refresh tokens stop working.`,
        confirmLabel: 'Revoke grant',
        cancelHref: `/admin/grants?${filterQuery({ client_id: grant.client_id })}`,
      };
    },
    async perform(c) {
      const grant = await revokeGrant(adminContext(c), c.req.param('id') ?? '');
      return seeOther(c, `/admin/grants?${filterQuery({ client_id: grant.client_id })}`, {
        notice: `Grant ${grant.id} revoked.`,
      });
    },
  });
}
