import { z } from 'zod';
import { pageOf, UserSchema } from '../schemas.js';
import { defineTool, pagingShape } from '../tool.js';

export const listUsers = defineTool({
  name: 'list_users',
  title: 'List users',
  description: 'User accounts, one page at a time (GET /admin/api/users); never password hashes.',
  inputSchema: {
    q: z
      .string()
      .min(1)
      .optional()
      .describe('Only users whose username, email or name contains this (case-insensitive)'),
    ...pagingShape,
  },
  outputSchema: pageOf(UserSchema),
  annotations: { readOnlyHint: true, openWorldHint: false },
  run(query, api) {
    return api.admin('GET', '/admin/api/users', { query });
  },
});
