/** POST /oauth/introspect (RFC 7662, RFC 9701 JWT responses) and POST /oauth/revoke (RFC 7009). */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import {
  authenticateClient,
  authenticateTokenClient,
  readClientCredentials,
} from '../../src/oauth/client-auth/authenticate';
import {
  INTROSPECTION_JWT_MEDIA_TYPE,
  introspect,
  introspectionJwt,
  jwtResponseWanted,
} from '../../src/oauth/tokens/introspection';
import { revoke } from '../../src/oauth/tokens/revocation';
import type { AppEnv } from '../context';
import { readForm } from '../middleware/body';
import { observeClient } from '../middleware/observability';
import { executionContextOf } from '../wiring/request-storage';
import { oauthContext } from '../wiring/services';
import { answer, clientForm, oauthFormRoute, optionalText, registerBodySchema } from './schemas';

/** The form of an introspection (RFC 7662 §2.1) or revocation (RFC 7009 §2.1) request. */
export const TokenFormSchema = clientForm({
  token: z.string(),
  token_type_hint: optionalText(
    'access_token or refresh_token: a hint this server does not need (it finds every token by itself); any value is accepted (RFC 7662 §2.1, RFC 7009 §2.1)',
  ),
});

export const introspectRoute = oauthFormRoute({
  path: '/oauth/introspect',
  summary: 'Token introspection (RFC 7662, RFC 9701)',
  description:
    'Client authentication required unless OAUTH2_PUBLIC_INTROSPECTION=true. A caller sees only tokens issued to it or naming it as audience. ' +
    'With `Accept: application/token-introspection+jwt`, or when the client registered `introspection_signed_response_alg`, ' +
    'the answer is a signed JWT (RFC 9701); an unauthenticated caller asking for one gets invalid_client.',
  form: 'TokenForm',
  responses: {
    200: {
      description: 'Introspection result',
      content: {
        'application/json': {
          schema: z
            .object({
              active: z.boolean(),
              scope: z.string().optional(),
              client_id: z.string().optional(),
              token_type: z.string().optional(),
              exp: z.number().int().optional(),
              iat: z.number().int().optional(),
              nbf: z.number().int().optional(),
              sub: z.string().optional(),
              aud: z.union([z.string(), z.array(z.string())]).optional(),
              iss: z.string().optional(),
              jti: z.string().optional(),
              cnf: z
                .object({ jkt: z.string() })
                .optional()
                .openapi({ description: 'RFC 9449 §6.2: the DPoP key a bound token is bound to' }),
            })
            .openapi('IntrospectionResponse'),
        },
        [INTROSPECTION_JWT_MEDIA_TYPE]: {
          schema: z.string().openapi({
            description:
              'RFC 9701 §5: a JWT (typ token-introspection+jwt, signed with a key of /.well-known/jwks.json: ' +
              "the client's introspection_signed_response_alg, default RS256) with iss, aud (the client), iat " +
              'and token_introspection (the JSON introspection response)',
          }),
        },
      },
    },
  },
});

export const revokeRoute = oauthFormRoute({
  path: '/oauth/revoke',
  summary: 'Token revocation (RFC 7009)',
  description:
    'Revokes the token and its whole grant. Unknown tokens are answered with 200. Public clients authenticate with client_id alone.',
  form: 'TokenForm',
  responses: { 200: { description: 'Revoked (or unknown)' } },
});

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function registerTokenManagementRoutes(app: OpenAPIHono<AppEnv>): void {
  registerBodySchema(app, 'TokenForm', TokenFormSchema);
  app.openapi(introspectRoute, async (c) => {
    const params = await readForm(c.req.raw);
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    const credentials = readClientCredentials(c.req.header('authorization'), params);
    const caller =
      ctx.config.publicIntrospection && !credentials ? null : await authenticateClient(ctx, credentials);
    observeClient(c, caller?.clientId);
    const signed = jwtResponseWanted(caller, c.req.header('accept'));
    const response = await introspect(ctx, params, caller);
    if (!signed || !caller) return answer(c.json(response, 200, noStore));
    const jwt = await introspectionJwt(ctx, caller, response);
    return answer(c.body(jwt, 200, { ...noStore, 'Content-Type': INTROSPECTION_JWT_MEDIA_TYPE }));
  });

  app.openapi(revokeRoute, async (c) => {
    const params = await readForm(c.req.raw);
    const ctx = oauthContext(c.env, c.get('config'), c.req.url, executionContextOf(c));
    // RFC 7009 §2.1 admits public clients by client_id: they may revoke their own (refresh) tokens.
    const caller = await authenticateTokenClient(
      ctx,
      readClientCredentials(c.req.header('authorization'), params),
    );
    await revoke(ctx, params, caller);
    return c.body(null, 200, noStore);
  });
}
