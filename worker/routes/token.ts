/** POST /oauth/token (RFC 6749 §3.2). */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { tokenRequest } from '../../src/oauth/tokens/token-endpoint';
import type { AppEnv } from '../context';
import { serveDpopForm } from './dpop-form';
import { clientForm, jsonResponse, oauthFormRoute, optionalText } from './schemas';

const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z
      .enum(['Bearer', 'DPoP'])
      .openapi({ description: 'DPoP when a DPoP proof was sent (RFC 9449)' }),
    expires_in: z.number().int(),
    scope: z.string().optional(),
    refresh_token: optionalText('authorization_code and refresh_token grants'),
    id_token: optionalText('when the granted scope includes openid'),
    issued_token_type: optionalText(
      'token exchange (RFC 8693): urn:ietf:params:oauth:token-type:access_token',
    ),
  })
  .openapi('TokenResponse');

/** The form of a token request (RFC 6749 §4.1.3, §4.4.2, §6; RFC 8628 §3.4; RFC 8693 §2.1). */
export const TokenRequestSchema = clientForm({
  grant_type: z.enum([
    'authorization_code',
    'refresh_token',
    'client_credentials',
    'urn:ietf:params:oauth:grant-type:token-exchange',
    'urn:ietf:params:oauth:grant-type:device_code',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
  ]),
  assertion: optionalText('JWT bearer grant (RFC 7523 §2.1): a JWT signed by a trusted issuer'),
  device_code: optionalText('device_code grant (RFC 8628): from /oauth/device_authorization'),
  subject_token: optionalText('token exchange (RFC 8693)'),
  subject_token_type: optionalText('token exchange: ...:token-type:access_token or refresh_token'),
  actor_token: optionalText('token exchange: the actor (act claim)'),
  actor_token_type: optionalText('token exchange: with actor_token'),
  requested_token_type: optionalText('token exchange: access_token'),
  audience: optionalText('token exchange: within the subject token'),
  resource: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({
      description:
        'RFC 8707 resource indicator, may repeat: the audience of the access token (authorization_code, refresh_token: within those granted); token exchange: within the subject token',
    }),
  code: optionalText('authorization_code'),
  code_verifier: optionalText('authorization_code (RFC 7636)'),
  redirect_uri: optionalText('authorization_code: must match if sent'),
  refresh_token: optionalText('refresh_token'),
  scope: z.string().optional(),
});

export const tokenRoute = oauthFormRoute({
  path: '/oauth/token',
  summary: 'Token endpoint',
  description:
    'Grants: authorization_code (PKCE S256), refresh_token (rotating), client_credentials, device_code (RFC 8628), token exchange (RFC 8693), JWT bearer assertions from trusted issuers (RFC 7523 §2.1). Clients authenticate with client_secret_basic, client_secret_post or a JWT assertion (RFC 7523); public clients send client_id only. A DPoP header (RFC 9449) binds the tokens to its key. A repeated parameter (other than resource) is invalid_request.',
  // Described, not validated: the handler reads the proof itself (src/oauth/dpop), and a zod header
  // schema would make `app.openapi` copy and parse every header of every token request.
  parameters: [
    {
      in: 'header',
      name: 'DPoP',
      required: false,
      schema: { type: 'string' },
      description: 'DPoP proof JWT (RFC 9449): binds the issued tokens to its key (token_type DPoP)',
    },
  ],
  form: 'TokenRequest',
  responses: { 200: jsonResponse('Tokens issued', TokenResponseSchema) },
});

export function registerTokenRoute(app: OpenAPIHono<AppEnv>): void {
  serveDpopForm(app, tokenRoute, { name: 'TokenRequest', schema: TokenRequestSchema }, 200, tokenRequest);
}
