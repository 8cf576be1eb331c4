import { z } from 'zod';
import { defineTool, segment } from '../tool.js';

export const resetUserFactors = defineTool({
  name: 'reset_user_factors',
  title: "Reset a user's second factors",
  description:
    'Deletes every second factor of a user: authenticator app, recovery codes and passkeys (DELETE ' +
    '/admin/api/users/{id}/factors), for a user who lost them. The user is signed out everywhere and their ' +
    'grants are revoked; they then sign in with their password alone and may enrol again. Audited.',
  inputSchema: { user_id: z.string().min(1).describe('The user’s id (see list_users)') },
  outputSchema: z.looseObject({ reset: z.literal(true), user_id: z.string() }),
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ user_id }, api) {
    const result = await api.admin('DELETE', `/admin/api/users/${segment(user_id)}/factors`);
    if (!result.ok) return result;
    return { ok: true, structured: { reset: true, user_id } };
  },
});
