/** OAuth 2.0 Form Post Response Mode and response_mode=query at /oauth/authorize (and through PAR). */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  Browser,
  basic,
  get,
  inputValue,
  ORIGIN,
  pkce,
  post,
  postJson,
  signedInBrowser,
} from './helpers';

const REDIRECT = 'https://rm.example.com/cb';

interface Client {
  client_id: string;
  client_secret: string;
}

let client: Client;

beforeAll(async () => {
  const res = await postJson(
    '/connect/register',
    { client_name: 'Form post app', redirect_uris: [REDIRECT], scope: 'openid read' },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status).toBe(201);
  client = (await res.json()) as Client;
});

async function request(extra: Record<string, string> = {}) {
  const { verifier, challenge } = await pkce();
  const params: Record<string, string> = {
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid read',
    state: `s-${crypto.randomUUID()}`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  return { params, verifier };
}

const authorizePath = (params: Record<string, string>) => `/oauth/authorize?${new URLSearchParams(params)}`;

/** The consent page's decision for an authorization request (consent is always asked here). */
async function decide(browser: Browser, params: Record<string, string>, decision: 'approve' | 'deny') {
  const page = await browser.get(authorizePath(params));
  const html = await page.text();
  expect(page.status, html).toBe(200);
  return browser.postForm('/oauth/consent', {
    csrf_token: inputValue(html, 'csrf_token') as string,
    request_id: inputValue(html, 'request_id') as string,
    decision,
  });
}

interface FormPost {
  action: string;
  fields: Record<string, string>;
  html: string;
  csp: string;
}

/** Asserts the form_post page (headers, CSP, one nonce'd script, Continue button) and parses its form. */
async function formPost(res: Response): Promise<FormPost> {
  const html = await res.text();
  expect(res.status, html).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('cache-control')).toContain('no-store');
  expect(res.headers.get('location')).toBeNull();
  const csp = res.headers.get('content-security-policy') as string;
  const directives = new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name as string, values.join(' ')];
    }),
  );
  expect(directives.get('default-src')).toBe("'none'");
  expect(directives.get('form-action')).toBe('https://rm.example.com');
  expect(directives.get('frame-ancestors')).toBe("'none'");
  const scripts = [...html.matchAll(/<script([^>]*)>/g)];
  expect(scripts).toHaveLength(1);
  const nonce = /nonce="([^"]+)"/.exec(scripts[0]?.[1] ?? '')?.[1];
  expect(nonce).toBeTruthy();
  expect(directives.get('script-src')).toBe(`'nonce-${nonce}'`);
  expect(html).toMatch(/<button type="submit">Continue<\/button>/);
  const forms = [...html.matchAll(/<form method="post" action="([^"]*)">/g)];
  expect(forms).toHaveLength(1);
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)"/g)) {
    const name = match[1] as string;
    fields[name] = inputValue(html, name) as string;
  }
  return { action: (forms[0]?.[1] ?? '').replace(/&amp;/g, '&'), fields, html, csp };
}

async function redeem(code: string, verifier: string) {
  const res = await post(
    '/oauth/token',
    { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
    { Authorization: basic(client.client_id, client.client_secret) },
  );
  const tokens = (await res.json()) as Record<string, string>;
  expect(res.status, JSON.stringify(tokens)).toBe(200);
  return tokens;
}

describe('response_mode=form_post', () => {
  it('posts code, state and iss to the redirect_uri; the code redeems', async () => {
    const browser = await signedInBrowser('rm');
    const { params, verifier } = await request({ response_mode: 'form_post' });
    const { action, fields } = await formPost(await decide(browser, params, 'approve'));
    expect(action).toBe(REDIRECT);
    expect(Object.keys(fields).sort()).toEqual(['code', 'iss', 'state']);
    expect(fields.state).toBe(params.state);
    expect(fields.iss).toBe(ORIGIN);
    const tokens = await redeem(fields.code as string, verifier);
    expect(tokens.id_token).toBeTruthy();
    // Remembered consent: the next request answers the form straight away.
    const again = await request({ response_mode: 'form_post' });
    const next = await formPost(await browser.get(authorizePath(again.params)));
    expect(next.fields.code).toBeTruthy();
    expect(next.fields.state).toBe(again.params.state);
  });

  it('delivers errors by form_post: a denial and prompt=none without a session', async () => {
    const browser = await signedInBrowser('rm');
    const { params } = await request({ response_mode: 'form_post' });
    const denied = await formPost(await decide(browser, params, 'deny'));
    expect(denied.fields.error).toBe('access_denied');
    expect(denied.fields.state).toBe(params.state);
    expect(denied.fields.iss).toBe(ORIGIN);
    expect(denied.fields.code).toBeUndefined();

    const anonymous = await request({ response_mode: 'form_post', prompt: 'none' });
    const { fields } = await formPost(await get(authorizePath(anonymous.params)));
    expect(fields.error).toBe('login_required');
    expect(fields.state).toBe(anonymous.params.state);
  });

  it('keeps the mode of a pushed request', async () => {
    const browser = await signedInBrowser('rm');
    const { params, verifier } = await request({ response_mode: 'form_post' });
    const { client_id: _, ...pushedParams } = params;
    const pushed = await post('/oauth/par', pushedParams, {
      Authorization: basic(client.client_id, client.client_secret),
    });
    expect(pushed.status, await pushed.clone().text()).toBe(201);
    const { request_uri } = (await pushed.json()) as { request_uri: string };
    const { fields } = await formPost(
      await decide(browser, { client_id: client.client_id, request_uri }, 'approve'),
    );
    expect(fields.state).toBe(params.state);
    await redeem(fields.code as string, verifier);
  });

  it('escapes the values it posts', async () => {
    const browser = await signedInBrowser('rm');
    const state = `"><script>alert(1)</script>&x='y'`;
    const { params } = await request({ response_mode: 'form_post', state });
    const { fields, html } = await formPost(await decide(browser, params, 'approve'));
    expect(fields.state).toBe(state);
    expect(html).not.toContain('<script>alert(1)');
  });
});

describe('response_mode=query and unknown modes', () => {
  it('accepts response_mode=query explicitly', async () => {
    const browser = await signedInBrowser('rm');
    const { params, verifier } = await request({ response_mode: 'query' });
    const res = await decide(browser, params, 'approve');
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') as string);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    await redeem(location.searchParams.get('code') as string, verifier);
  });

  it('answers invalid_request for an unknown mode by query, or on the error page when the redirect is unproven', async () => {
    const { params } = await request({ response_mode: 'fragment' });
    const res = await new Browser().get(authorizePath(params));
    expect(res.status, await res.clone().text()).toBe(302);
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('state')).toBe(params.state);

    const unproven = await get(
      authorizePath({ ...params, redirect_uri: 'https://evil.example.com/cb', response_mode: 'form_post' }),
    );
    expect(unproven.status).toBe(400);
    expect(unproven.headers.get('location')).toBeNull();
    expect(unproven.headers.get('content-security-policy')).not.toContain('script-src');
  });

  it('advertises query and form_post', async () => {
    const metadata = (await (await get('/.well-known/openid-configuration')).json()) as Record<
      string,
      unknown
    >;
    expect(metadata.response_modes_supported).toEqual(['query', 'form_post']);
  });
});
