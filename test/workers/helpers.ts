/** Black-box helpers: requests through the real Worker (SELF), RFC error assertions. */
import { env, SELF } from 'cloudflare:test';
import { expect } from 'vitest';
import { createApp } from '../../worker/app';

export const ORIGIN = 'http://localhost';
export const ADMIN_ID = env.OAUTH2_ADMIN_CLIENT_ID;
export const ADMIN_SECRET = env.OAUTH2_ADMIN_CLIENT_SECRET ?? '';

export function basic(id: string, secret: string): string {
  return `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
}

export function post(
  path: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
) {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

export function get(path: string, headers: Record<string, string> = {}) {
  return SELF.fetch(`${ORIGIN}${path}`, { headers });
}

/** Asserts an RFC 6749 §5.2-style error response and returns its body. */
export async function expectOAuthError(res: Response, status: number, error: string) {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  return body;
}

/** A client_credentials token for the bootstrap admin client. */
export async function adminToken(scope = 'admin'): Promise<string> {
  const res = await post(
    '/oauth/token',
    { grant_type: 'client_credentials', scope },
    {
      Authorization: basic(ADMIN_ID, ADMIN_SECRET),
    },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

export type Poster = typeof post;

/** `post` against the same Worker with extra configuration (a fresh env object re-parses the config). */
export function postWith(vars: Record<string, string>): Poster {
  const app = createApp();
  const configured = { ...env, ...vars };
  return async (path, form, headers = {}) =>
    app.request(
      `${ORIGIN}${path}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
      },
      configured,
    );
}
