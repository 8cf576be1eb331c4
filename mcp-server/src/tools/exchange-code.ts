import { z } from 'zod';
import { isFailure, resolveCredentials } from '../credentials.js';
import { clientAuthShape, TokenResponseSchema } from '../schemas.js';
import { defineTool } from '../tool.js';

export const exchangeCode = defineTool({
  name: 'exchange_code',
  title: 'Exchange an authorization code',
  description:
    'Redeems an authorization code with its PKCE code_verifier (authorization_code grant, POST /oauth/token). ' +
    'redirect_uri must be the one of the authorization request. A code works once.',
  inputSchema: {
    code: z.string().min(1),
    redirect_uri: z.string().min(1),
    code_verifier: z.string().min(43).max(128).describe('RFC 7636 PKCE verifier (43 to 128 characters)'),
    ...clientAuthShape,
    resource: z.string().optional().describe('RFC 8707 resource indicator'),
  },
  outputSchema: TokenResponseSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run({ code, redirect_uri, code_verifier, resource, ...auth }, api) {
    const credentials = resolveCredentials(auth, api);
    if (isFailure(credentials)) return Promise.resolve(credentials);
    return api.postForm(
      '/oauth/token',
      { grant_type: 'authorization_code', code, redirect_uri, code_verifier, resource },
      credentials,
    );
  },
});
