/** /admin/api/grants: token families by client and/or user; revoke one, or in bulk. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import * as grants from '../../../src/admin/grants';
import type { AppEnv } from '../../context';
import { registerCollection, registerPath } from './collection';
import { ADMIN_API } from './common';

const GRANTS = `${ADMIN_API}/grants`;

export function registerAdminGrantRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: GRANTS,
    param: ['id', 'The grant id'],
    item: grants.GrantViewSchema,
    list: {
      summary: 'List grants (token families)',
      description:
        'Newest first. Grants come from the authorization code flow (and its refresh tokens); client_credentials tokens create none.',
      filters: grants.GrantQuerySchema.shape,
      reply: ['A page of grants', grants.GrantPageSchema],
      run: grants.listGrants,
    },
    // Registered before /{id} so that "revoke" is never taken for a grant id.
    between: () =>
      registerPath(app, {
        method: 'post',
        path: `${GRANTS}/revoke`,
        summary: 'Revoke the grants of a client and/or user',
        description: `Revokes up to ${grants.BULK_REVOKE_LIMIT} active grants per call (newest first); repeat while more is true.`,
        body: grants.BulkRevokeSchema,
        reply: ['What was revoked', grants.BulkRevokeResultSchema],
        run: (ctx, { body }) => grants.revokeGrants(ctx, body),
      }),
    get: { summary: 'Read a grant', reply: 'The grant', run: grants.getGrant },
    remove: {
      summary: 'Revoke a grant',
      description:
        'Revokes the whole family through its TokenActor: its access tokens (JWT or opaque) introspect inactive at once and its refresh tokens stop working. Idempotent.',
      reply: ['The revoked grant', grants.GrantViewSchema],
      run: grants.revokeGrant,
    },
  });
}
