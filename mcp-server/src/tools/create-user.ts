import { z } from 'zod';
import { UserSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const createUser = defineTool({
  name: 'create_user',
  title: 'Create a user',
  description:
    'Creates a user account (POST /admin/api/users). The server enforces its password policy and answers ' +
    'invalid_request naming the field otherwise; a taken username is a conflict.',
  inputSchema: {
    username: z.string().min(1).max(64).describe('Letters, digits and . _ @ + -; stored lower-case'),
    password: z.string().min(1),
    email: z.string().optional(),
    name: z.string().optional(),
    role: z.enum(['user', 'admin']).optional().describe('Default user'),
    email_verified: z.boolean().optional(),
  },
  outputSchema: UserSchema,
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run(user, api) {
    return api.admin('POST', '/admin/api/users', { body: user });
  },
});
