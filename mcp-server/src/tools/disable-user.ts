import { z } from 'zod';
import { UserSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const disableUser = defineTool({
  name: 'disable_user',
  title: 'Disable a user',
  description:
    'Disables a user account (PUT /admin/api/users/{id} with enabled=false): the user can no longer sign ' +
    'in. enabled=true re-enables it.',
  inputSchema: {
    user_id: z.string().min(1).describe('The user’s id (see list_users)'),
    enabled: z.boolean().optional().describe('Default false (disable); true re-enables'),
  },
  outputSchema: UserSchema,
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run({ user_id, enabled }, api) {
    return api.admin('PUT', `/admin/api/users/${segment(user_id)}`, { body: { enabled: enabled ?? false } });
  },
});
