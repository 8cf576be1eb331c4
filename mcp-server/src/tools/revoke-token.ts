import { z } from 'zod';
import { isFailure, resolveCredentials } from '../credentials.js';
import { clientAuthShape } from '../schemas.js';
import { defineTool } from '../tool.js';

export const revokeToken = defineTool({
  name: 'revoke_token',
  title: 'Revoke a token',
  description:
    'Revokes an access or refresh token (RFC 7009, POST /oauth/revoke). The server answers success for an ' +
    'unknown or already invalid token too (RFC 7009 §2.2), so accepted=true does not prove it was active.',
  inputSchema: {
    token: z.string().min(1),
    token_type_hint: z.enum(['access_token', 'refresh_token']).optional(),
    ...clientAuthShape,
  },
  outputSchema: z.object({ accepted: z.literal(true) }),
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run({ token, token_type_hint, ...auth }, api) {
    const credentials = resolveCredentials(auth, api);
    if (isFailure(credentials)) return credentials;
    const result = await api.postForm('/oauth/revoke', { token, token_type_hint }, credentials);
    if (!result.ok) return result;
    return { ok: true, structured: { accepted: true } };
  },
});
