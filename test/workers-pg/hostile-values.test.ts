/**
 * Values PostgreSQL cannot store (a NUL character in text or jsonb; D1 stores them): a lookup by one
 * finds nothing, as it would on D1; a write carrying one answers 400 `invalid_request`, never a 500.
 */
import { describe, expect, it } from 'vitest';
import { adminToken, basic, expectOAuthError, post, postJson } from '../workers/helpers';

const NUL = '\u0000';

describe('NUL characters with the Worker on PostgreSQL', () => {
  it('a client_id with a NUL authenticates nobody: 401 invalid_client', async () => {
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { Authorization: basic(`client${NUL}x`, 'x'.repeat(43)) },
    );
    await expectOAuthError(res, 401, 'invalid_client');
  });

  it('registering a client whose metadata holds a NUL answers 400 invalid_request', async () => {
    const token = await adminToken();
    const res = await postJson(
      '/connect/register',
      {
        client_name: `evil${NUL}name`,
        grant_types: ['client_credentials'],
        response_types: [],
        scope: 'read',
      },
      { Authorization: `Bearer ${token}` },
    );
    const body = await expectOAuthError(res, 400, 'invalid_request');
    expect(body.error_description).not.toContain('evil');
  });
});
