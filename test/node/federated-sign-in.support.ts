/**
 * Local upstream providers for test/node/federated-sign-in.test.ts, on 127.0.0.1:
 * - `startMiniIdp`: a small OpenID provider built with jose, several issuers under one server (one per
 *   path prefix), each with a `behaviour` the tests change to produce what a real provider would not
 *   (a wrong nonce or issuer, an expired ID token, a denial) and Microsoft's multi-tenant `{tenantid}` issuer.
 * - `startGithubMock`: GitHub's OAuth app endpoints and REST shapes (`/login/oauth/authorize`,
 *   `/login/oauth/access_token`, `/user`, `/user/emails`).
 * Both redirect at once from their authorize endpoint (the user's consent is implied) and check the
 * client's secret, PKCE S256 and the redirect URI at the token endpoint, like the real ones.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface IdpUser {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  preferred_username?: string;
}

export interface Behaviour {
  /** The user the next authorization signs in. */
  user: IdpUser;
  /** `deny`: the authorize endpoint answers error=access_denied. */
  deny: boolean;
  nonce: 'echo' | 'wrong' | 'missing';
  iss: 'right' | 'wrong';
  /** Seconds added to now for `exp` (negative: already expired). */
  expIn: number;
  aud: 'right' | 'wrong';
  /** Sign with a key that is not in the JWKS. */
  foreignKey: boolean;
  /** `email` goes to userinfo only (not the ID token). */
  emailInUserinfo: boolean;
}

export const defaultBehaviour = (user: IdpUser): Behaviour => ({
  user,
  deny: false,
  nonce: 'echo',
  iss: 'right',
  expIn: 300,
  aud: 'right',
  foreignKey: false,
  emailInUserinfo: false,
});

interface IssuerSpec {
  /** Path prefix, e.g. `/acme`. */
  prefix: string;
  clientId: string;
  clientSecret: string;
  /** Microsoft multi-tenant: discovery publishes `{base}/{tenantid}/v2.0`; tokens carry this `tid`. */
  tenantId?: string;
  /** Published issuer (default: base + prefix); e.g. Auth0's trailing slash. */
  issuerSuffix?: string;
  /** Only client_secret_post at the token endpoint. */
  postOnly?: boolean;
}

interface Grant {
  user: IdpUser;
  nonce: string | null;
  redirectUri: string;
  challenge: string;
  spec: IssuerSpec;
  used: boolean;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

function basicCredentials(header: string | undefined): [string, string] | null {
  if (!header?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  return [dec(decoded.slice(0, i)), dec(decoded.slice(i + 1))];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface MiniIdp {
  base: string;
  behaviour: Record<string, Behaviour>;
  /** Token-endpoint calls per prefix (to show a refused callback never reached it). */
  tokenCalls: Record<string, number>;
  issuerOf(prefix: string): string;
  stop(): Promise<void>;
}

export async function startMiniIdp(specs: IssuerSpec[], user: IdpUser): Promise<MiniIdp> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, { user: IdpUser; prefix: string }>();
  const behaviour: Record<string, Behaviour> = {};
  const tokenCalls: Record<string, number> = {};
  for (const spec of specs) {
    behaviour[spec.prefix] = defaultBehaviour(user);
    tokenCalls[spec.prefix] = 0;
  }
  const server = createServer();
  const base = await listen(server);
  const issuerOf = (spec: IssuerSpec) =>
    spec.tenantId ? `${base}/{tenantid}/v2.0` : `${base}${spec.prefix}${spec.issuerSuffix ?? ''}`;
  const tokenIssuer = (spec: IssuerSpec) =>
    spec.tenantId ? `${base}/${spec.tenantId}/v2.0` : issuerOf(spec);

  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const spec = specs.find((s) => url.pathname.startsWith(`${s.prefix}/`));
    if (!spec) return json(res, 404, { error: 'not_found' });
    const path = url.pathname.slice(spec.prefix.length);
    const b = behaviour[spec.prefix] as Behaviour;
    const root = `${base}${spec.prefix}`;
    if (path === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer: issuerOf(spec),
        authorization_endpoint: `${root}/authorize`,
        token_endpoint: `${root}/token`,
        jwks_uri: `${root}/jwks`,
        userinfo_endpoint: `${root}/userinfo`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: spec.postOnly
          ? ['client_secret_post']
          : ['client_secret_basic', 'client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (path === '/jwks') return json(res, 200, { keys: [jwk] });
    if (path === '/authorize') {
      const q = url.searchParams;
      const redirect = new URL(q.get('redirect_uri') ?? '');
      redirect.searchParams.set('state', q.get('state') ?? '');
      if (q.get('client_id') !== spec.clientId || q.get('code_challenge_method') !== 'S256') {
        redirect.searchParams.set('error', 'invalid_request');
      } else if (b.deny) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(24).toString('base64url');
        grants.set(code, {
          user: b.user,
          nonce: q.get('nonce'),
          redirectUri: q.get('redirect_uri') ?? '',
          challenge: q.get('code_challenge') ?? '',
          spec,
          used: false,
        });
        redirect.searchParams.set('code', code);
      }
      res.writeHead(302, { location: redirect.href });
      return res.end();
    }
    if (path === '/token' && req.method === 'POST') {
      tokenCalls[spec.prefix] = (tokenCalls[spec.prefix] ?? 0) + 1;
      const form = new URLSearchParams(await readBody(req));
      const basic = basicCredentials(req.headers.authorization);
      const [id, secret] = basic ?? [form.get('client_id'), form.get('client_secret')];
      if (spec.postOnly && basic) return json(res, 401, { error: 'invalid_client' });
      if (id !== spec.clientId || secret !== spec.clientSecret)
        return json(res, 401, { error: 'invalid_client' });
      const grant = grants.get(form.get('code') ?? '');
      if (!grant || grant.used || grant.spec !== spec) return json(res, 400, { error: 'invalid_grant' });
      grant.used = true;
      if (form.get('redirect_uri') !== grant.redirectUri) return json(res, 400, { error: 'invalid_grant' });
      if (s256(form.get('code_verifier') ?? '') !== grant.challenge)
        return json(res, 400, { error: 'invalid_grant' });
      const now = Math.floor(Date.now() / 1000);
      const { email, email_verified, ...rest } = grant.user;
      const claims: Record<string, unknown> = { ...rest };
      if (!b.emailInUserinfo && email !== undefined) Object.assign(claims, { email, email_verified });
      if (b.nonce === 'echo' && grant.nonce) claims.nonce = grant.nonce;
      if (b.nonce === 'wrong') claims.nonce = 'not-the-nonce';
      if (spec.tenantId) claims.tid = spec.tenantId;
      const idToken = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(b.iss === 'right' ? tokenIssuer(spec) : `${base}/evil`)
        .setAudience(b.aud === 'right' ? spec.clientId : 'another-client')
        .setIssuedAt(b.expIn < 0 ? now + b.expIn - 60 : now)
        .setExpirationTime(now + b.expIn)
        .sign(b.foreignKey ? foreign.privateKey : privateKey);
      const accessToken = randomBytes(24).toString('base64url');
      tokens.set(accessToken, { user: grant.user, prefix: spec.prefix });
      return json(res, 200, {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: 300,
        id_token: idToken,
      });
    }
    if (path === '/userinfo') {
      const token = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (!token) return json(res, 401, { error: 'invalid_token' });
      return json(res, 200, token.user);
    }
    return json(res, 404, { error: 'not_found' });
  });

  return {
    base,
    behaviour,
    tokenCalls,
    issuerOf: (prefix) => {
      const spec = specs.find((s) => s.prefix === prefix);
      if (!spec) throw new Error(`no issuer ${prefix}`);
      return spec.tenantId ? `${base}${prefix}` : `${base}${prefix}${spec.issuerSuffix ?? ''}`;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface GithubMock {
  base: string;
  user: GithubUser;
  deny: boolean;
  stop(): Promise<void>;
}

export async function startGithubMock(clientId: string, clientSecret: string): Promise<GithubMock> {
  const grants = new Map<string, { challenge: string; redirectUri: string; user: GithubUser }>();
  const tokens = new Map<string, GithubUser>();
  const server = createServer();
  const base = await listen(server);
  const mock: GithubMock = {
    base,
    user: { id: 1001, login: 'octocat', name: 'The Octocat', emails: [] },
    deny: false,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      const redirect = new URL(q.get('redirect_uri') ?? '');
      redirect.searchParams.set('state', q.get('state') ?? '');
      if (mock.deny) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomUUID().replace(/-/g, '').slice(0, 20);
        grants.set(code, {
          challenge: q.get('code_challenge') ?? '',
          redirectUri: q.get('redirect_uri') ?? '',
          user: mock.user,
        });
        redirect.searchParams.set('code', code);
      }
      res.writeHead(302, { location: redirect.href });
      return res.end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      // GitHub answers form-encoded unless asked for JSON, and reports errors with status 200.
      if (req.headers.accept !== 'application/json') {
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
        return res.end('error=accept_json_please');
      }
      const grant = grants.get(form.get('code') ?? '');
      grants.delete(form.get('code') ?? '');
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return json(res, 200, { error: 'incorrect_client_credentials' });
      }
      if (
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        s256(form.get('code_verifier') ?? '') !== grant.challenge
      ) {
        return json(res, 200, { error: 'bad_verification_code' });
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, grant.user);
      return json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (url.pathname === '/api/user' || url.pathname === '/api/user/emails') {
      if (!user) return json(res, 401, { message: 'Bad credentials' });
      if (url.pathname === '/api/user')
        return json(res, 200, { id: user.id, login: user.login, name: user.name });
      return json(
        res,
        200,
        user.emails.map((e) => ({ ...e, visibility: 'private' })),
      );
    }
    return json(res, 404, { message: 'Not Found' });
  });
  return mock;
}
