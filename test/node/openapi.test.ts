/**
 * OpenAPI 3.1: `/api-docs/openapi.json` of the built Worker validates against the OpenAPI 3.1 schema
 * (@seriousme/openapi-schema-validator, which compiles JSON Schemas with Ajv and so runs in Node, not in
 * workerd) and documents every admin API route with its request and response schemas.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support';

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}
type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

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

  it('declares the security schemes the admin routes name', () => {
    expect(Object.keys(doc.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearer', 'adminSession', 'csrfToken']),
    );
  });
});
