/** What every admin API route shares: OpenAPI security and error responses, query parsing, 405s, no-store. */
import { createRoute, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Query } from '../../../src/admin/paging';
import { MethodNotAllowedError } from '../../../src/oauth/errors';
import { parseForm } from '../../../src/oauth/form';
import { REGISTRY_CACHE_TTL_SECS } from '../../../src/oauth/scopes/stored-registry';
import type { AppEnv } from '../../context';
import { readJsonObject } from '../../middleware/body';
import { CSRF_HEADER } from '../../middleware/csrf';
import { jsonError } from '../schemas';

export const ADMIN_TAG = 'Admin';
export const ADMIN_API = '/admin/api';

/** When a change to the stored scopes and APIs applies (every isolate keeps a copy of them for a while). */
export const REGISTRY_CHANGE_APPLIES = `A change applies at once in this isolate, within ${REGISTRY_CACHE_TTL_SECS} s everywhere.`;

/** Responses of the admin API are never cached. */
export const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Reads: an admin-scoped Bearer token, or an administrator's session cookie. */
export const readSecurity: Record<string, string[]>[] = [{ bearer: [] }, { adminSession: [] }];
/** Changes: the same, and with a session its CSRF token in X-CSRF-Token. */
export const writeSecurity: Record<string, string[]>[] = [
  { bearer: [] },
  { adminSession: [], csrfToken: [] },
];

/** The guard's answers, on every admin route. */
const guardResponses = {
  302: { description: 'A signed-in user who is not an administrator is sent to /profile' },
  401: jsonError('No credentials, or an invalid, expired or revoked access token (invalid_token)'),
  403: jsonError(
    'The token lacks scope admin (insufficient_scope), or a session-authenticated change lacks X-CSRF-Token (access_denied)',
  ),
  503: jsonError('Misconfigured or storage unavailable'),
} as const;

export const readErrors = {
  400: jsonError('invalid_request naming the query parameter (limit, offset, cursor, ...)'),
  ...guardResponses,
} as const;

export const itemErrors = { ...readErrors, 404: jsonError('No such record (not_found)') } as const;

export const writeErrors = {
  400: jsonError('invalid_request naming the field'),
  ...guardResponses,
  404: jsonError('No such record (not_found)'),
  409: jsonError('Conflicts with an existing record (invalid_request)'),
  413: jsonError('Body larger than 64 KiB'),
} as const;

/**
 * Reads the JSON body of an admin change before the router validates it: at most 64 KiB, media type
 * application/json, a JSON object (otherwise invalid_request: 413, or 400). The router's JSON validator
 * (and `c.req.json()`) then read this copy instead of the request stream.
 */
export const readJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const body = await readJsonObject(c.req.raw);
  // Hono keeps the promise of each body reading in bodyCache (typed as the value it resolves to).
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(JSON.stringify(body));
  await next();
};

/**
 * An admin API route: the Admin tag, and the security of a read or of a change. A route with a body
 * reads it first (`readJsonBody`); a zod body schema then validates it (`jsonBody`), and the app's
 * defaultHook answers invalid_request naming the field.
 */
export function adminRoute<
  P extends string,
  R extends Omit<RouteConfig, 'tags' | 'security' | 'path' | 'middleware'> & { path: P },
>(access: 'read' | 'write', config: R) {
  return createRoute({
    ...config,
    ...(config.request?.body ? { middleware: readJsonBody } : {}),
    tags: [ADMIN_TAG],
    security: access === 'write' ? writeSecurity : readSecurity,
  });
}

/** A JSON request body, validated by the router with `schema`. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

/**
 * A JSON request body the operation validates itself (its checks or their order differ from the
 * schema's): the document shows `schema` (a zod schema with an `id`) by reference; the handler reads
 * the body with `c.req.json()` (see `readJsonBody`).
 */
export function operationCheckedBody(id: string) {
  return {
    required: true,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}` } } },
  };
}

/** A path parameter. */
export function pathParam(name: string, description: string) {
  return z.object({ [name]: z.string().meta({ param: { name, in: 'path' }, description }) });
}

/**
 * The query of a listing, as the router validates it: an empty value counts as omitted (as in
 * `adminQuery`); a repeated parameter arrives as an array, which the defaultHook refuses by name.
 */
export function querySchema<T extends z.ZodObject>(schema: T) {
  return z
    .record(z.string(), z.unknown())
    .transform((query) => Object.fromEntries(Object.entries(query).filter(([, value]) => value !== '')))
    .pipe(schema);
}

/** The query string, strictly parsed (a repeated parameter is invalid_request); empty values are omitted. */
export function adminQuery(c: Context<AppEnv>): Query {
  return Object.fromEntries(parseForm(new URL(c.req.url).search.slice(1)));
}

/** Any other method on `path` answers 405 with Allow. */
export function allowOnly(app: OpenAPIHono<AppEnv>, path: string, allowed: string[]): void {
  const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((method) => !allowed.includes(method));
  app.on(others, path, () => {
    throw new MethodNotAllowedError(allowed.join(', '));
  });
}

/** The security schemes the admin routes name. */
export function registerAdminSecuritySchemes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'adminSession', {
    type: 'apiKey',
    in: 'cookie',
    name: '__Host-session',
    description:
      "An administrator's sign-in session (the cookie is named `session` on plain http to loopback)",
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'csrfToken', {
    type: 'apiKey',
    in: 'header',
    name: CSRF_HEADER,
    description: 'The CSRF token of the session (GET /admin/api/me answers it as csrf_token)',
  });
}
