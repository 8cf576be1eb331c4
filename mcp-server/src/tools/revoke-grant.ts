import { z } from 'zod';
import { GrantSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const revokeGrant = defineTool({
  name: 'revoke_grant',
  title: 'Revoke a grant',
  description:
    'Revokes a whole token family (DELETE /admin/api/grants/{id}): its access tokens become inactive and its ' +
    'refresh tokens stop working. Idempotent; answers the revoked grant.',
  inputSchema: { grant_id: z.string().min(1).describe('The grant’s id (see list_grants)') },
  outputSchema: GrantSchema,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run({ grant_id }, api) {
    return api.admin('DELETE', `/admin/api/grants/${segment(grant_id)}`);
  },
});
