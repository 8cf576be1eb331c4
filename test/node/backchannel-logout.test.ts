/**
 * OIDC Back-Channel Logout end to end: the built Worker under Miniflare (queue producer and consumer from
 * wrangler.toml), a real sign-in and authorization code flow, then sign-out; a relying party's HTTP
 * receiver on 127.0.0.1 gets the Logout Token, verified with jose against the server's JWKS. The first
 * delivery is refused with 503, so the token arrives through the queue's retry.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  basic,
  CookieAgent,
  createUser,
  formInputs,
  registerClient,
  signInAndApprove,
  type TestServer,
} from './support';

const HARNESS = new URL('../../bench/lib/server.mjs', import.meta.url).href;
const REDIRECT = 'https://rp.example.com/callback';

interface Received {
  path: string;
  contentType: string | undefined;
  body: string;
}

const received: Received[] = [];
let receiver: Server;
let receiverUrl: string;
let server: TestServer;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function waitFor<T>(check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

beforeAll(async () => {
  receiver = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
    // The relying party is down the first time: the delivery must come again through the queue's retry.
    res.writeHead(received.length === 1 ? 503 : 200).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const harness = (await import(HARNESS)) as {
    startServer(options: {
      vars: Record<string, string>;
      queueConsumer: Record<string, number>;
      onOutput: (line: string) => void;
    }): Promise<TestServer>;
  };
  server = await harness.startServer({
    vars: {
      OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP: 'true',
      OAUTH2_EVENTS_RETRY_DELAY_SECS: '0',
      OAUTH2_EVENTS_CONSOLE: 'false',
    },
    queueConsumer: { maxBatchTimeout: 1 },
    onOutput: () => {},
  });
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('OIDC Back-Channel Logout to a real relying party', () => {
  it('sign-in, code flow, sign-out: the RP receives a verifiable Logout Token for the session', async () => {
    const token = await adminToken(server);
    const user = await createUser(server, token);
    const client = await registerClient(server, token, {
      client_name: 'Back-channel RP',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid profile',
      backchannel_logout_uri: `${receiverUrl}/backchannel-logout`,
      backchannel_logout_session_required: true,
    });
    expect(client.backchannel_logout_uri).toBe(`${receiverUrl}/backchannel-logout`);

    const agent = new CookieAgent(server.url);
    const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
    const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', Buffer.from(verifier))));
    const authorize = new URL('/oauth/authorize', server.url);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      state: 'st',
      nonce: 'n-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const callback = await signInAndApprove(agent, authorize, user);
    const tokenRes = await fetch(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: basic(client.client_id, client.client_secret ?? ''),
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      }),
    });
    const tokens = (await tokenRes.json()) as { id_token: string };
    expect(tokenRes.status).toBe(200);
    const { sid } = decodeJwt(tokens.id_token);
    expect(typeof sid).toBe('string');

    const profile = formInputs(await (await agent.fetch('/profile')).text());
    const out = await agent.postForm('/auth/logout', { csrf_token: profile.csrf_token ?? '' });
    expect(out.status).toBe(303);

    const delivered = await waitFor(() => (received.length >= 2 ? received : undefined));
    expect(delivered.map((r) => r.path)).toEqual(['/backchannel-logout', '/backchannel-logout']);
    expect(delivered[1]?.contentType).toBe('application/x-www-form-urlencoded');
    const logoutToken = new URLSearchParams(delivered[1]?.body).get('logout_token') ?? '';
    const jwks = createLocalJWKSet(await (await fetch(`${server.url}/.well-known/jwks.json`)).json());
    const { payload, protectedHeader } = await jwtVerify(logoutToken, jwks, {
      issuer: server.url,
      audience: client.client_id,
      typ: 'logout+jwt',
      maxTokenAge: 120,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: user.id,
      sid,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    });
    expect(payload.nonce).toBeUndefined();
    // The retry carries the same event: the same jti.
    const first = new URLSearchParams(delivered[0]?.body).get('logout_token') ?? '';
    expect(decodeJwt(first).jti).toBe(payload.jti);
  });
});
