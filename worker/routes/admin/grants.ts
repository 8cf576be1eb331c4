/** /admin/api/grants: token families by client and/or user; revoke one, or in bulk. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  BULK_REVOKE_LIMIT,
  BulkRevokeResultSchema,
  BulkRevokeSchema,
  GrantPageSchema,
  GrantQuerySchema,
  GrantViewSchema,
  getGrant,
  listGrants,
  revokeGrant,
  revokeGrants,
} from '../../../src/admin/grants';
import { PageQuerySchema } from '../../../src/admin/paging';
import type { AppEnv } from '../../context';
import { registerCollection, registerPath } from './collection';
import { ADMIN_API, querySchema } from './common';

const GRANTS = `${ADMIN_API}/grants`;

export function registerAdminGrantRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: GRANTS,
    param: ['id', 'The grant id'],
    list: {
      summary: 'List grants (token families)',
      description:
        'Newest first. Grants come from the authorization code flow (and its refresh tokens); client_credentials tokens create none.',
      query: querySchema(PageQuerySchema.extend(GrantQuerySchema.shape)),
      reply: ['A page of grants', GrantPageSchema],
      run: (ctx, { query }) => listGrants(ctx, query),
    },
    // Registered before /{id} so that "revoke" is never taken for a grant id.
    between: () =>
      registerPath(app, {
        method: 'post',
        path: `${GRANTS}/revoke`,
        summary: 'Revoke the grants of a client and/or user',
        description: `Revokes up to ${BULK_REVOKE_LIMIT} active grants per call (newest first); repeat while more is true.`,
        body: BulkRevokeSchema,
        reply: ['What was revoked', BulkRevokeResultSchema],
        run: (ctx, { body }) => revokeGrants(ctx, body),
      }),
    get: {
      summary: 'Read a grant',
      reply: ['The grant', GrantViewSchema],
      run: (ctx, { id }) => getGrant(ctx, id),
    },
    remove: {
      summary: 'Revoke a grant',
      description:
        'Revokes the whole family through its TokenActor: its access tokens (JWT or opaque) introspect inactive at once and its refresh tokens stop working. Idempotent.',
      reply: ['The revoked grant', GrantViewSchema],
      run: (ctx, { id }) => revokeGrant(ctx, id),
    },
  });
}
