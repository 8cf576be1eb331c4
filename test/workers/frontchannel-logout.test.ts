/**
 * OpenID Connect Front-Channel Logout 1.0 through the real Worker: registration of
 * `frontchannel_logout_uri`, the iframes of the page after RP-initiated logout (with `iss` and `sid`
 * when session_required), that page's CSP `frame-src`, and discovery.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  approveIfAsked,
  Browser,
  basic,
  get,
  inputValue,
  ORIGIN,
  pkce,
  post,
  postJson,
} from './helpers';

interface Client {
  client_id: string;
  client_secret: string;
}

async function register(metadata: Record<string, unknown>): Promise<Response> {
  return postJson('/connect/register', metadata, { Authorization: `Bearer ${await adminToken()}` });
}

async function registered(metadata: Record<string, unknown>): Promise<Client> {
  const res = await register(metadata);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Client;
}

let withSid: Client;
let withoutSid: Client;
let silent: Client;

beforeAll(async () => {
  withSid = await registered({
    client_name: 'FC sid',
    redirect_uris: ['https://fc-a.example.com/cb'],
    post_logout_redirect_uris: ['https://fc-a.example.com/bye'],
    frontchannel_logout_uri: 'https://fc-a.example.com/logout',
    frontchannel_logout_session_required: true,
  });
  withoutSid = await registered({
    client_name: 'FC plain',
    redirect_uris: ['https://fc-b.example.com:8443/cb'],
    frontchannel_logout_uri: 'https://fc-b.example.com:8443/logout?x=1',
  });
  silent = await registered({ client_name: 'No FC', redirect_uris: ['https://fc-c.example.com/cb'] });
});

async function signedIn(): Promise<Browser> {
  const username = `fc-${crypto.randomUUID().slice(0, 8)}`;
  const password = `pw-${crypto.randomUUID()}`;
  const res = await postJson(
    '/admin/api/users',
    { username, password },
    { Authorization: `Bearer ${await adminToken()}` },
  );
  expect(res.status, await res.clone().text()).toBe(201);
  const browser = new Browser();
  expect((await browser.signIn(username, password)).status).toBe(303);
  return browser;
}

/** Runs the code flow for `client` in `browser`'s session; answers the ID token. */
async function tokensIn(browser: Browser, client: Client, redirect: string): Promise<string> {
  const { verifier, challenge } = await pkce();
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirect,
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const res = await approveIfAsked(browser, await browser.get(`/oauth/authorize?${params}`));
  const code = new URL(res.headers.get('location') as string).searchParams.get('code') as string;
  const token = await post(
    '/oauth/token',
    { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirect },
    { Authorization: basic(client.client_id, client.client_secret) },
  );
  expect(token.status, await token.clone().text()).toBe(200);
  return ((await token.json()) as { id_token: string }).id_token;
}

function iframeSources(html: string): string[] {
  return [...html.matchAll(/<iframe[^>]*\ssrc="([^"]*)"/g)].map((m) =>
    (m[1] as string).replace(/&amp;/g, '&'),
  );
}

describe('Front-Channel Logout 1.0', () => {
  it('renders one hidden iframe per client of the ended session, under a frame-src of exactly their origins', async () => {
    const browser = await signedIn();
    const idToken = await tokensIn(browser, withSid, 'https://fc-a.example.com/cb');
    await tokensIn(browser, withoutSid, 'https://fc-b.example.com:8443/cb');
    await tokensIn(browser, silent, 'https://fc-c.example.com/cb');
    const sid = decodeJwt(idToken).sid as string;
    expect(typeof sid).toBe('string');

    const res = await browser.get(
      `/oauth/logout?${new URLSearchParams({
        id_token_hint: idToken,
        post_logout_redirect_uri: 'https://fc-a.example.com/bye',
        state: 'st',
      })}`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    const sources = iframeSources(html);
    expect(sources).toHaveLength(2);
    const a = new URL(sources.find((s) => s.startsWith('https://fc-a.example.com')) as string);
    expect(`${a.origin}${a.pathname}`).toBe('https://fc-a.example.com/logout');
    expect(a.searchParams.get('iss')).toBe(ORIGIN);
    expect(a.searchParams.get('sid')).toBe(sid);
    const b = new URL(sources.find((s) => s.startsWith('https://fc-b.example.com:8443')) as string);
    expect(b.searchParams.get('x')).toBe('1');
    expect(b.searchParams.has('sid')).toBe(false);
    expect(b.searchParams.has('iss')).toBe(false);
    expect(html).toMatch(/<iframe[^>]*hidden/);

    const csp = res.headers.get('content-security-policy') as string;
    const frameSrc = csp.split('; ').find((d) => d.startsWith('frame-src')) as string;
    expect(frameSrc.split(' ').slice(1).sort()).toEqual([
      'https://fc-a.example.com',
      'https://fc-b.example.com:8443',
    ]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // The browser goes on to the post-logout redirect once the frames had time to load.
    expect(html).toContain('https://fc-a.example.com/bye?state=st');
    expect(html).toMatch(/http-equiv="refresh"/);

    // Signed out: the session is gone.
    const profile = await browser.get('/profile');
    expect(profile.status).toBe(302);
  });

  it('keeps the plain redirect (and no frame-src) when no client of the session registered a URI', async () => {
    const browser = await signedIn();
    await tokensIn(browser, silent, 'https://fc-c.example.com/cb');
    const res = await browser.get('/oauth/logout');
    // No hint: the confirmation page first.
    const html = await res.text();
    const done = await browser.postForm('/oauth/logout', {
      csrf_token: inputValue(html, 'csrf_token') as string,
      decision: 'logout',
    });
    expect(done.status).toBe(200);
    expect(iframeSources(await done.text())).toHaveLength(0);
    expect(done.headers.get('content-security-policy')).not.toContain('frame-src');
    // Other pages never allow frames.
    const login = await browser.get('/auth/login');
    expect(login.headers.get('content-security-policy')).not.toContain('frame-src');
  });

  it('validates frontchannel_logout_uri at registration', async () => {
    for (const uri of [
      'not a uri',
      'https://fc-a.example.com/logout#frag',
      'http://fc-a.example.com/logout',
      'https://elsewhere.example.com/logout',
    ]) {
      const res = await register({
        redirect_uris: ['https://fc-a.example.com/cb'],
        frontchannel_logout_uri: uri,
      });
      expect(res.status, uri).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_client_metadata');
    }
    const res = await register({
      redirect_uris: ['https://fc-a.example.com/cb'],
      frontchannel_logout_uri: 'https://fc-a.example.com/logout',
      frontchannel_logout_session_required: 'yes',
    });
    expect(res.status).toBe(400);
  });

  it('is advertised in discovery', async () => {
    const doc = (await (await get('/.well-known/openid-configuration')).json()) as Record<string, unknown>;
    expect(doc.frontchannel_logout_supported).toBe(true);
    expect(doc.frontchannel_logout_session_supported).toBe(true);
    expect(doc.check_session_iframe).toBeUndefined();
  });
});
