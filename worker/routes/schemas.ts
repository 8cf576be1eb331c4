/** OpenAPI schemas shared by the route documents. */
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import type { AppEnv } from '../context';

export const OAuthErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'invalid_request' }),
    error_description: z.string().openapi({ example: 'missing required parameter grant_type' }),
  })
  .openapi('OAuthError');

export const errorResponses = {
  400: {
    description: 'Invalid request (RFC 6749 §5.2)',
    content: { 'application/json': { schema: OAuthErrorSchema } },
  },
  401: {
    description: 'Client authentication failed',
    content: { 'application/json': { schema: OAuthErrorSchema } },
  },
  503: {
    description: 'Misconfigured or unavailable',
    content: { 'application/json': { schema: OAuthErrorSchema } },
  },
} as const;

export const ClientAuthFields = {
  client_id: z.string().optional().openapi({ description: 'client_secret_post: the client identifier' }),
  client_secret: z.string().optional().openapi({ description: 'client_secret_post: the client secret' }),
  client_assertion_type: z.string().optional().openapi({
    description:
      'private_key_jwt / client_secret_jwt (RFC 7523): urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  }),
  client_assertion: z
    .string()
    .optional()
    .openapi({ description: 'private_key_jwt / client_secret_jwt: the signed JWT (iss = sub = client_id)' }),
};

/** The DPoP proof header (RFC 9449 §4) of a token request. */
export const DPoPHeaders = z.object({
  DPoP: z.string().optional().openapi({
    description: 'DPoP proof JWT (RFC 9449): binds the issued tokens to its key (token_type DPoP)',
  }),
});

export const basicAuth: Record<string, string[]>[] = [{ clientSecretBasic: [] }, { clientSecretPost: [] }];

/**
 * A handler's answer whose static type `app.openapi` cannot match to the route's response schemas
 * (a body typed as a plain record, a status the shared error responses name): the response is the
 * one the document describes, which the tests check; only the type is erased.
 */
export const answer = (response: Response): never => response as never;

/**
 * A request body that its handler parses by hand (the OAuth form endpoints: strict form parsing with
 * repeated parameters refused; bodies read only after authentication): the document shows `schema` as
 * the component `name`, by reference, so `app.openapi` adds no validator for it (it validates zod
 * schemas only). test/workers/form-schemas.test.ts holds the hand parsers to these schemas.
 */
export function handParsedBody(name: string, media: string) {
  return {
    required: true,
    content: { [media]: { schema: { $ref: `#/components/schemas/${name}` } } },
  };
}

/** Registers the schema of a `handParsedBody` as the component `name`. */
export function registerBodySchema(app: OpenAPIHono<AppEnv>, name: string, schema: ZodType): void {
  app.openAPIRegistry.register(name, schema);
}
