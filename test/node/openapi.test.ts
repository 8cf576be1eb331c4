/**
 * OpenAPI 3.1: `/api-docs/openapi.json` of the built Worker validates against the OpenAPI 3.1 schema
 * (@seriousme/openapi-schema-validator, which compiles JSON Schemas with Ajv and so runs in Node, not in
 * workerd) and documents every admin API route, and every protocol endpoint of the device flow, PAR,
 * token exchange, DPoP / JWT client authentication, RFC 9728 and MCP, with its request and response schemas.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema> };
};
interface JsonSchema {
  $ref?: string;
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: string[];
}

/**
 * The endpoints of the device flow, PAR, token exchange, DPoP / JWT client auth, RFC 9728 and MCP:
 * method, path, request media type (null: no body), success status, the request fields and the
 * response fields the document must name.
 */
const PROTOCOL_ROUTES: {
  method: string;
  path: string;
  media: string | null;
  status: string;
  fields: string[];
  returns: string[];
}[] = [
  {
    method: 'post',
    path: '/oauth/token',
    media: 'application/x-www-form-urlencoded',
    status: '200',
    fields: [
      'grant_type',
      'device_code',
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
      'requested_token_type',
      'resource',
      'assertion',
      'client_assertion',
      'client_assertion_type',
    ],
    returns: ['access_token', 'token_type', 'expires_in', 'issued_token_type'],
  },
  {
    method: 'post',
    path: '/oauth/device_authorization',
    media: 'application/x-www-form-urlencoded',
    status: '200',
    fields: ['scope', 'client_id', 'client_assertion', 'client_assertion_type'],
    returns: [
      'device_code',
      'user_code',
      'verification_uri',
      'verification_uri_complete',
      'expires_in',
      'interval',
    ],
  },
  {
    method: 'post',
    path: '/oauth/par',
    media: 'application/x-www-form-urlencoded',
    status: '201',
    fields: [
      'response_type',
      'redirect_uri',
      'code_challenge',
      'code_challenge_method',
      'resource',
      'client_assertion',
    ],
    returns: ['request_uri', 'expires_in'],
  },
  {
    method: 'post',
    path: '/oauth/introspect',
    media: 'application/x-www-form-urlencoded',
    status: '200',
    fields: ['token', 'client_assertion', 'client_assertion_type'],
    returns: ['active'],
  },
  {
    method: 'post',
    path: '/oauth/revoke',
    media: 'application/x-www-form-urlencoded',
    status: '200',
    fields: ['token', 'client_assertion', 'client_assertion_type'],
    returns: [],
  },
  {
    method: 'get',
    path: '/.well-known/oauth-protected-resource',
    media: null,
    status: '200',
    fields: [],
    returns: ['resource', 'authorization_servers', 'bearer_methods_supported'],
  },
  {
    method: 'get',
    path: '/.well-known/oauth-protected-resource/mcp',
    media: null,
    status: '200',
    fields: [],
    returns: ['resource', 'authorization_servers', 'bearer_methods_supported'],
  },
  {
    method: 'post',
    path: '/mcp',
    media: 'application/json',
    status: '200',
    fields: ['jsonrpc'],
    returns: ['jsonrpc'],
  },
];

/** Every admin API route: method, path, whether it takes a JSON body, its success status. */
const ADMIN_ROUTES: [string, string, boolean, string][] = [
  ['get', '/admin/api/dashboard', false, '200'],
  ['get', '/admin/api/me', false, '200'],
  ['get', '/admin/api/clients', false, '200'],
  ['post', '/admin/api/clients', true, '201'],
  ['get', '/admin/api/clients/{client_id}', false, '200'],
  ['put', '/admin/api/clients/{client_id}', true, '200'],
  ['delete', '/admin/api/clients/{client_id}', false, '204'],
  ['post', '/admin/api/clients/{client_id}/secret', false, '200'],
  ['get', '/admin/api/users', false, '200'],
  ['post', '/admin/api/users', true, '201'],
  ['get', '/admin/api/users/{id}', false, '200'],
  ['put', '/admin/api/users/{id}', true, '200'],
  ['delete', '/admin/api/users/{id}', false, '204'],
  ['post', '/admin/api/users/{id}/password', true, '200'],
  ['get', '/admin/api/users/{id}/factors', false, '200'],
  ['delete', '/admin/api/users/{id}/factors', false, '204'],
  ['get', '/admin/api/grants', false, '200'],
  ['get', '/admin/api/grants/{id}', false, '200'],
  ['delete', '/admin/api/grants/{id}', false, '200'],
  ['post', '/admin/api/grants/revoke', true, '200'],
  ['get', '/admin/api/keys', false, '200'],
  ['post', '/admin/api/keys/rotate', false, '200'],
  ['get', '/admin/api/denylist', false, '200'],
  ['post', '/admin/api/denylist', true, '201'],
  ['get', '/admin/api/denylist/{id}', false, '200'],
  ['delete', '/admin/api/denylist/{id}', false, '204'],
  ['get', '/admin/api/scopes', false, '200'],
  ['post', '/admin/api/scopes', true, '201'],
  ['get', '/admin/api/scopes/{name}', false, '200'],
  ['put', '/admin/api/scopes/{name}', true, '200'],
  ['delete', '/admin/api/scopes/{name}', false, '204'],
  ['get', '/admin/api/resources', false, '200'],
  ['post', '/admin/api/resources', true, '201'],
  ['get', '/admin/api/resources/{id}', false, '200'],
  ['put', '/admin/api/resources/{id}', true, '200'],
  ['delete', '/admin/api/resources/{id}', false, '204'],
  ['get', '/admin/api/trusted-issuers', false, '200'],
  ['post', '/admin/api/trusted-issuers', true, '201'],
  ['get', '/admin/api/trusted-issuers/{id}', false, '200'],
  ['put', '/admin/api/trusted-issuers/{id}', true, '200'],
  ['delete', '/admin/api/trusted-issuers/{id}', false, '204'],
  ['get', '/admin/api/device-authorizations', false, '200'],
  ['delete', '/admin/api/device-authorizations/{user_code}', false, '204'],
  ['get', '/admin/api/audit', false, '200'],
  ['get', '/admin/api/events', false, '200'],
];

describe('OpenAPI document (/api-docs/openapi.json)', () => {
  let server: TestServer;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    server = await startServer();
    const res = await fetch(`${server.url}/api-docs/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it.each(ADMIN_ROUTES)(
    'documents %s %s with its request and response schemas',
    (method, path, body, status) => {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      const op = operation as Operation;
      expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }]));
      if (body) expect(op.requestBody?.content['application/json']?.schema).toBeDefined();
      else expect(op.requestBody).toBeUndefined();
      const success = op.responses[status];
      expect(success, `${method} ${path} ${status}`).toBeDefined();
      if (status !== '204') expect(success?.content?.['application/json']?.schema).toBeDefined();
      for (const code of ['401', '403'])
        expect(op.responses[code]?.content?.['application/json']).toBeDefined();
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        expect(op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name)).toBe(true);
      }
    },
  );

  it('lists no admin API route that is not in the table above', () => {
    const documented = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/admin/api'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(documented.sort()).toEqual(ADMIN_ROUTES.map(([method, path]) => `${method} ${path}`).sort());
  });

  /** A schema with its $ref followed into components.schemas. */
  const resolve = (schema: JsonSchema | undefined): JsonSchema | undefined =>
    schema?.$ref ? doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;

  it.each(PROTOCOL_ROUTES)(
    'documents $method $path with its request and response schemas',
    ({ method, path, media, status, fields, returns }) => {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      const operation = op as Operation;
      if (media === null) expect(operation.requestBody).toBeUndefined();
      else {
        const body = resolve(operation.requestBody?.content[media]?.schema as JsonSchema);
        expect(body, `${path} ${media}`).toBeDefined();
        for (const field of fields)
          expect(Object.keys(body?.properties ?? {}), `${path} ${field}`).toContain(field);
      }
      expect(operation.responses[status], `${path} ${status}`).toBeDefined();
      // RFC 7009 §2.2: revocation answers 200 with no body.
      const success = operation.responses[status]?.content?.['application/json']?.schema as JsonSchema;
      if (returns.length > 0) expect(success, `${path} ${status}`).toBeDefined();
      const response = resolve(success);
      for (const field of returns)
        expect(Object.keys(response?.properties ?? {}), `${path} ${field}`).toContain(field);
      // Every failure these endpoints answer is an RFC error object.
      const failures = Object.entries(operation.responses).filter(
        ([code]) => code === '401' || code === '404',
      );
      expect(failures.length, `${path} documents its failures`).toBeGreaterThan(0);
      for (const [code, failure] of failures) {
        const schema = resolve(failure.content?.['application/json']?.schema as JsonSchema);
        expect(schema?.required, `${path} ${code}`).toEqual(
          expect.arrayContaining(['error', 'error_description']),
        );
      }
    },
  );

  it('names the new grants, the DPoP header and the DPoP token type on the token endpoint', () => {
    const op = doc.paths['/oauth/token']?.post as Operation;
    const body = resolve(op.requestBody?.content['application/x-www-form-urlencoded']?.schema as JsonSchema);
    expect(body?.properties?.grant_type?.enum).toEqual(
      expect.arrayContaining([
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:token-exchange',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
      ]),
    );
    expect(op.parameters?.some((p) => p.in === 'header' && p.name === 'DPoP')).toBe(true);
    const response = resolve(op.responses['200']?.content?.['application/json']?.schema as JsonSchema);
    expect(response?.properties?.token_type?.enum).toEqual(expect.arrayContaining(['Bearer', 'DPoP']));
  });

  it('documents GET and DELETE /mcp as 405 after the token check', () => {
    for (const method of ['get', 'delete']) {
      const op = doc.paths['/mcp']?.[method];
      expect(op, method).toBeDefined();
      expect(op?.responses['405']?.content?.['application/json']).toBeDefined();
      expect(op?.responses['401']?.content?.['application/json']).toBeDefined();
    }
  });

  it('documents no browser page (device verification, upstream sign-in) as a JSON route', () => {
    for (const path of Object.keys(doc.paths)) {
      expect(path.startsWith('/oauth/device/verify') || path.startsWith('/auth/'), path).toBe(false);
    }
  });

  it('declares the security schemes the admin routes name', () => {
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearer', 'adminSession', 'csrfToken']),
    );
  });
});
