import { z } from 'zod';
import { UserFactorsSchema } from '../schemas.js';
import { defineTool, segment } from '../tool.js';

export const getUserFactors = defineTool({
  name: 'get_user_factors',
  title: "Read a user's second factors",
  description:
    "A user's second factors (GET /admin/api/users/{id}/factors): the authenticator app (TOTP) and whether " +
    'it is confirmed, recovery codes left, and passkeys by name with their dates and device type. Never a ' +
    'secret, a code or a public key.',
  inputSchema: { user_id: z.string().min(1).describe('The user’s id (see list_users)') },
  outputSchema: UserFactorsSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run({ user_id }, api) {
    return api.admin('GET', `/admin/api/users/${segment(user_id)}/factors`);
  },
});
