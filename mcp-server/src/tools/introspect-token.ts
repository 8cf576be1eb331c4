import { z } from 'zod';
import { isFailure, resolveCredentials } from '../credentials.js';
import { clientAuthShape, IntrospectionSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const introspectToken = defineTool({
  name: 'introspect_token',
  title: 'Introspect a token',
  description:
    'Whether a token is active and what it carries (RFC 7662, POST /oauth/introspect). An expired, revoked ' +
    'or unknown token is {"active": false}, not an error.',
  inputSchema: {
    token: z.string().min(1),
    token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
    ...clientAuthShape,
  },
  outputSchema: IntrospectionSchema,
  annotations: { readOnlyHint: true, openWorldHint: false },
  run({ token, token_type_hint, ...auth }, api) {
    const credentials = resolveCredentials(auth, api);
    if (isFailure(credentials)) return Promise.resolve(credentials);
    return api.postForm('/oauth/introspect', { token, token_type_hint }, credentials);
  },
});
