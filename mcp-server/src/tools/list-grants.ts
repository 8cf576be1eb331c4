import { z } from 'zod';
import { GrantSchema, pageOf } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const listGrants = defineTool({
  name: 'list_grants',
  title: 'List grants',
  description:
    'Grants: token families from the authorization code flow (an authorization and its refresh tokens), ' +
    'newest first, optionally of one user or client (GET /admin/api/grants). client_credentials tokens ' +
    'create none.',
  inputSchema: {
    user_id: z.string().min(1).optional(),
    client_id: z.string().min(1).optional(),
    active: z.boolean().optional().describe('true: only grants neither revoked nor expired'),
    ...pagingShape,
  },
  outputSchema: pageOf(GrantSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/grants', { query });
  },
});
