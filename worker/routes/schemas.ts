/** OpenAPI schemas shared by the route documents. */
import { createRoute, type OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import type { ZodType } from 'zod';
import type { AppEnv } from '../context';

export const OAuthErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'invalid_request' }),
    error_description: z.string().openapi({ example: 'missing required parameter grant_type' }),
  })
  .openapi('OAuthError');

/** A documented response whose body is JSON of `schema`. */
export const jsonResponse = <S extends ZodType>(description: string, schema: S) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A documented error response: the `{error, error_description}` JSON every endpoint answers errors with. */
export const jsonError = (description: string) => jsonResponse(description, OAuthErrorSchema);

/** A GET of a public discovery document (RFC 8414, RFC 9728, the JWKS), listed under the tag Discovery. */
export const discoveryRoute = <R extends RouteConfig['responses']>(
  path: string,
  summary: string,
  responses: R,
) => createRoute({ method: 'get', path, tags: ['Discovery'], summary, responses });

/** The errors of the OAuth form endpoints (token, introspection, revocation, device authorization, PAR). */
export const errorResponses = {
  400: jsonError('Invalid request (RFC 6749 §5.2)'),
  401: jsonError('Client authentication failed'),
  503: jsonError('Misconfigured or unavailable'),
} as const;

/** An optional field of a documented form, body or header, with what it carries. */
export const optionalField = <T extends z.ZodType>(schema: T, description: string) =>
  schema.optional().openapi({ description });

/** An optional string of a documented form, body or header, with what it carries. */
export const optionalText = (description: string) => optionalField(z.string(), description);

export const ClientAuthFields = {
  client_id: optionalText('client_secret_post: the client identifier'),
  client_secret: optionalText('client_secret_post: the client secret'),
  client_assertion_type: optionalText(
    'private_key_jwt / client_secret_jwt (RFC 7523): urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  ),
  client_assertion: optionalText(
    'private_key_jwt / client_secret_jwt: the signed JWT (iss = sub = client_id)',
  ),
};

/** The DPoP proof header (RFC 9449 §4) of a token request. */
export const DPoPHeaders = z.object({
  DPoP: optionalText('DPoP proof JWT (RFC 9449): binds the issued tokens to its key (token_type DPoP)'),
});

export const basicAuth: Record<string, string[]>[] = [{ clientSecretBasic: [] }, { clientSecretPost: [] }];

/** The form of an OAuth endpoint: its own `fields` and the client authentication fields. */
export const clientForm = <F extends z.ZodRawShape>(fields: F) =>
  z.object({ ...fields, ...ClientAuthFields });

/** What an OAuth form endpoint's document says beyond what they all share. */
interface OAuthFormRouteSpec<R extends RouteConfig['responses']> {
  path: string;
  summary: string;
  description: string;
  /** Described, not validated, header parameters. */
  parameters?: RouteConfig['parameters'];
  /** Validated headers (zod). */
  headers?: typeof DPoPHeaders;
  /** The component name of the form (see `registerBodySchema`). */
  form: string;
  /** The answers on success; `errorResponses` follow them. */
  responses: R;
}

/**
 * A POST endpoint of the OAuth form family (token, introspection, revocation, device authorization, PAR):
 * tag OAuth 2.0, clients authenticate as at the token endpoint, and the form is parsed by hand
 * (src/oauth/form.ts: a repeated parameter, other than resource where allowed, is invalid_request).
 */
export const oauthFormRoute = <R extends RouteConfig['responses']>(spec: OAuthFormRouteSpec<R>) =>
  createRoute({
    method: 'post',
    path: spec.path,
    tags: ['OAuth 2.0'],
    summary: spec.summary,
    description: spec.description,
    security: basicAuth,
    ...(spec.parameters ? { parameters: spec.parameters } : {}),
    request: {
      ...(spec.headers ? { headers: spec.headers } : {}),
      body: handParsedBody(spec.form, 'application/x-www-form-urlencoded'),
    },
    responses: { ...spec.responses, ...errorResponses },
  });

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
