/** /admin/api/denylist: entries by ip, user, username, email or client, with optional expiry. */
import type { OpenAPIHono } from '@hono/zod-openapi';
import * as denylist from '../../../src/admin/denylist';
import { DENYLIST_CACHE_TTL_SECS } from '../../../src/denylist';
import type { AppEnv } from '../../context';
import { registerCollection } from './collection';
import { ADMIN_API } from './common';

const ENFORCEMENT = `Enforced before authentication: a denied ip gets 403 on every route but /health and /ready; a denied client gets invalid_client and its tokens are inactive; a denied user, username or email cannot sign in (the wrong-password answer). Changes apply at once in this isolate, within ${DENYLIST_CACHE_TTL_SECS} s everywhere.`;

export function registerAdminDenylistRoutes(app: OpenAPIHono<AppEnv>): void {
  registerCollection(app, {
    path: `${ADMIN_API}/denylist`,
    param: ['id', 'The entry id'],
    item: denylist.DenyEntryViewSchema,
    list: {
      summary: 'List denylist entries',
      description:
        'Newest first, expired entries included (active: false) until the next addition sweeps them.',
      filters: denylist.DenylistQuerySchema.shape,
      reply: ['A page of entries', denylist.DenyEntryPageSchema],
      run: denylist.listDenylist,
    },
    create: {
      summary: 'Add a denylist entry',
      description: `${ENFORCEMENT} A user, username or email entry also ends that user's sessions. 409 when an entry of the same kind and value exists.`,
      body: denylist.DenyEntryCreateSchema,
      reply: 'Added',
      run: denylist.addDenyEntry,
    },
    get: { summary: 'Read a denylist entry', reply: 'The entry', run: denylist.getDenyEntry },
    remove: { summary: 'Remove a denylist entry', reply: 'Removed', run: denylist.removeDenyEntry },
  });
}
