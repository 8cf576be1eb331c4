/**
 * The router validates what the admin API routes declare (path, query, JSON body) and the app-wide
 * defaultHook (worker/routes/validation-hook.ts) throws invalid_request naming the parameter, in the
 * words the hand parsers used: the error renderer writes the RFC 6749 §5.2 body.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validationError } from '../../worker/routes/validation-hook';
import { AdminApi, api } from './admin-helpers';
import { expectOAuthError } from './helpers';

let admin: AdminApi;
beforeAll(async () => {
  admin = await AdminApi.create();
});

function describeFailure(target: string, schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return validationError(target, result.error, input).message;
}

describe('validationError', () => {
  const query = z.object({ limit: z.string().optional(), active: z.enum(['true', 'false']).optional() });
  const body = z.strictObject({
    username: z.string(),
    enabled: z.boolean('must be true or false').optional(),
  });

  it('names the parameter as the hand parsers did', () => {
    expect(describeFailure('query', query, { limit: ['1', '2'] })).toBe('parameter limit is repeated');
    expect(describeFailure('query', query, { active: 'maybe' })).toBe(
      'invalid active: must be true or false',
    );
    expect(describeFailure('json', body, {})).toBe('missing required field username');
    expect(describeFailure('json', body, { username: 'a', extra: 1 })).toBe('unknown field extra');
    expect(describeFailure('json', body, { username: 'a', enabled: 'no' })).toBe(
      'invalid enabled: must be true or false',
    );
  });
});

describe('admin API requests through the router', () => {
  it('a repeated query parameter is invalid_request naming it', async () => {
    const error = await expectOAuthError(
      await admin.call('GET', '/admin/api/grants?limit=1&limit=2'),
      400,
      'invalid_request',
    );
    expect(error.error_description).toBe('parameter limit is repeated');
  });

  it('an empty query value counts as omitted', async () => {
    expect((await admin.call('GET', '/admin/api/grants?active=&limit=')).status).toBe(200);
    expect((await admin.call('GET', '/admin/api/denylist?kind=')).status).toBe(200);
  });

  it('an enumerated query parameter outside its values names them', async () => {
    const error = await expectOAuthError(
      await admin.call('GET', '/admin/api/denylist?kind=planet'),
      400,
      'invalid_request',
    );
    expect(error.error_description).toBe('invalid kind: must be one of ip, user, username, email, client');
  });

  it('a JSON body failing its schema is invalid_request naming the field', async () => {
    const error = await expectOAuthError(
      await admin.call('POST', '/admin/api/grants/revoke', { client_id: 5 }),
      400,
      'invalid_request',
    );
    expect(error.error_description).toMatch(/^invalid client_id: /);
    const unknown = await expectOAuthError(
      await admin.call('POST', '/admin/api/grants/revoke', { client: 'x' }),
      400,
      'invalid_request',
    );
    expect(unknown.error_description).toBe('unknown field client');
  });

  it('the body is read (media type, 64 KiB, a JSON object) before it is validated', async () => {
    const media = await expectOAuthError(
      await api('POST', '/admin/api/grants/revoke', {
        token: admin.token,
        headers: { 'Content-Type': 'text/plain' },
      }),
      400,
      'invalid_request',
    );
    expect(media.error_description).toBe('the request body must be application/json');
    const big = await admin.call('POST', '/admin/api/grants/revoke', { client_id: 'x'.repeat(70_000) });
    expect(big.status).toBe(413);
    await expectOAuthError(await admin.call('POST', '/admin/api/grants/revoke', [1]), 400, 'invalid_request');
  });
});
