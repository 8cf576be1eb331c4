import { z } from 'zod';
import { isFailure, resolveCredentials } from '../credentials.js';
import { clientAuthShape, TokenResponseSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const refreshToken = defineTool({
  name: 'refresh_token',
  title: 'Refresh a token',
  description:
    'Uses a refresh token (refresh_token grant, POST /oauth/token). Refresh tokens rotate: the answer ' +
    'carries a new one and the old one must not be used again (reuse revokes the whole family).',
  inputSchema: {
    refresh_token: z.string().min(1),
    scope: z.string().optional().describe('A subset of the original scope'),
    ...clientAuthShape,
  },
  outputSchema: TokenResponseSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run({ refresh_token, scope, ...auth }, api) {
    const credentials = resolveCredentials(auth, api);
    if (isFailure(credentials)) return Promise.resolve(credentials);
    return api.postForm('/oauth/token', { grant_type: 'refresh_token', refresh_token, scope }, credentials);
  },
});
