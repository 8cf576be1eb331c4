/**
 * CORS on the endpoints added for browser-based clients (fail-closed, OAUTH2_ALLOWED_ORIGINS): pushed
 * authorization requests, device authorization, the RFC 9728 protected resource metadata and the MCP
 * endpoint (which browser-based MCP clients discover and call cross-origin). The original endpoints'
 * CORS tests live with the rate-limit tests (test/workers/rate-limit.test.ts).
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app';
import { isCorsPath } from '../../worker/middleware/cors';
import { ADMIN_ID, ADMIN_SECRET, basic, ORIGIN } from './helpers';

const APP_ORIGIN = 'https://app.example';

function server(vars: Record<string, string> = {}) {
  const app = createApp();
  const configured = { ...env, ...vars } as Env;
  return (path: string, init: RequestInit = {}) => app.request(`${ORIGIN}${path}`, init, configured);
}

const NEW_PATHS = [
  '/oauth/par',
  '/oauth/device_authorization',
  '/.well-known/oauth-protected-resource',
  '/.well-known/oauth-protected-resource/mcp',
  '/mcp',
];

describe('CORS (fail-closed) on PAR, device authorization, resource metadata and MCP', () => {
  const call = server({ OAUTH2_ALLOWED_ORIGINS: APP_ORIGIN });

  it('lists the new API paths, and no browser page', () => {
    for (const path of NEW_PATHS) expect(isCorsPath(path), path).toBe(true);
    for (const path of ['/oauth/device/verify', '/auth/login/github', '/auth/callback/github', '/mcpx']) {
      expect(isCorsPath(path), path).toBe(false);
    }
  });

  it.each(NEW_PATHS)(
    'answers a preflight on %s from an allowed origin with 204 and the CORS headers',
    async (path) => {
      const res = await call(path, {
        method: 'OPTIONS',
        headers: {
          Origin: APP_ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type, dpop, mcp-protocol-version',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of [
        'authorization',
        'content-type',
        'dpop',
        'mcp-protocol-version',
        'mcp-session-id',
      ]) {
        expect(allowed, header).toContain(header);
      }
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    },
  );

  it.each(NEW_PATHS)(
    'refuses a preflight on %s from another origin (204 without CORS headers)',
    async (path) => {
      const res = await call(path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('gives the resource metadata to an allowed origin, and nothing to others or when no origin is configured', async () => {
    const ok = await call('/.well-known/oauth-protected-resource/mcp', { headers: { Origin: APP_ORIGIN } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(ok.headers.get('vary')).toContain('Origin');
    const other = await call('/.well-known/oauth-protected-resource', {
      headers: { Origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const closed = await server()('/.well-known/oauth-protected-resource', {
      headers: { Origin: APP_ORIGIN },
    });
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a browser MCP client read the 401 challenge of /mcp (WWW-Authenticate exposed)', async () => {
    const res = await call('/mcp', {
      method: 'POST',
      headers: { Origin: APP_ORIGIN, 'Content-Type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate');
    expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
  });

  it('puts the CORS headers on PAR and device authorization answers, errors included', async () => {
    const form = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: APP_ORIGIN };
    const device = await call('/oauth/device_authorization', {
      method: 'POST',
      headers: { ...form, Authorization: basic(ADMIN_ID, ADMIN_SECRET) },
      body: 'scope=openid',
    });
    expect(device.status).toBeGreaterThanOrEqual(200);
    expect(device.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const par = await call('/oauth/par', { method: 'POST', headers: form, body: 'client_id=client_unknown' });
    expect(par.status).toBe(401);
    expect(par.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });

  it('never gives the device verification or upstream sign-in pages CORS headers', async () => {
    for (const path of ['/oauth/device/verify', '/auth/login/github', '/auth/callback/github']) {
      const res = await call(path, { headers: { Origin: APP_ORIGIN }, redirect: 'manual' });
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });
});
