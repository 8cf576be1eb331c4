/** POST /oauth/par (RFC 9126 §2): pushed authorization requests, answered 201 with a request_uri. */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { PAR_PATH, pushAuthorizationRequest } from '../../src/oauth/par';
import type { AppEnv } from '../context';
import { serveDpopForm } from './dpop-form';
import { clientForm, DPoPHeaders, jsonResponse, oauthFormRoute, optionalText } from './schemas';

const PushedResponseSchema = z
  .object({
    request_uri: z.string().openapi({ example: 'urn:ietf:params:oauth:request_uri:0aQm3…' }),
    expires_in: z.number().int().openapi({ example: 60 }),
  })
  .openapi('PushedAuthorizationResponse');

/** The form of a pushed authorization request (RFC 9126 §2.1). */
export const PushedAuthorizationRequestSchema = clientForm({
  response_type: z.literal('code'),
  response_mode: z.enum(['query', 'form_post']).optional(),
  redirect_uri: z.string().optional(),
  scope: z.string().optional(),
  state: z.string().optional(),
  code_challenge: z.string(),
  code_challenge_method: z.literal('S256'),
  nonce: z.string().optional(),
  prompt: z.string().optional(),
  max_age: z.string().optional(),
  login_hint: z.string().optional(),
  claims: optionalText(
    'OIDC Core §5.5: JSON object naming id_token and userinfo claims (essential, value, values)',
  ),
  acr_values: optionalText('OIDC Core §3.1.2.1: space-separated, in order of preference'),
  request: optionalText(
    'RFC 9101 request object (a JWT signed by the client): only its parameters are used; client_id and response_type must agree with it',
  ),
  dpop_jkt: optionalText(
    'RFC 9449 §10: JWK SHA-256 thumbprint of the DPoP key the code is bound to (a DPoP header sets it)',
  ),
  resource: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({
      description: 'RFC 8707 resource indicator, may repeat: the audience of the tokens',
    }),
});

export const parRoute = oauthFormRoute({
  path: PAR_PATH,
  summary: 'Pushed authorization request (RFC 9126)',
  description:
    'The parameters of an authorization request, validated as /oauth/authorize would. The request_uri is used once at /oauth/authorize with the same client_id, within expires_in seconds. Confidential clients authenticate as at the token endpoint; public clients send client_id.',
  headers: DPoPHeaders,
  form: 'PushedAuthorizationRequest',
  responses: { 201: jsonResponse('Request stored', PushedResponseSchema) },
});

export function registerParRoute(app: OpenAPIHono<AppEnv>): void {
  const form = { name: 'PushedAuthorizationRequest', schema: PushedAuthorizationRequestSchema };
  serveDpopForm(app, parRoute, form, 201, pushAuthorizationRequest);
}
