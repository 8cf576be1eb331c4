/**
 * /admin/grants: token families filtered by client and/or user; revoke one, or every active one of a
 * client or user (confirmed first). A bulk revocation does the bounded work of one API call (up to
 * BULK_REVOKE_LIMIT grants, inside the subrequest limits) and says when more remain.
 */
import type { Context, Hono } from 'hono';
import { getGrant, listGrants, revokeGrant, revokeGrants } from '../../../src/admin';
import { InvalidRequestError } from '../../../src/oauth/errors';
import { filterQuery, GrantListPage } from '../../../templates/admin/grants';
import { adminContext } from '../../admin-context';
import type { AppEnv } from '../../context';
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

export function registerGrantPages(app: Hono<AppEnv>): void {
  app.get('/admin/grants', async (c) => {
    const query = listQuery(c);
    const page = await listGrants(adminContext(c), query);
    const { chrome } = await pageChrome(c, 'grants');
    const filters = {
      client_id: query.client_id ?? '',
      user_id: query.user_id ?? '',
      active: query.active === 'true',
    };
    const props = { chrome, items: page.items, filters, cursor: query.cursor };
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
