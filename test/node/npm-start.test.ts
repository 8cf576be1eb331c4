/**
 * The real `npm start` (scripts/start.mjs: .dev.vars generation, the configuration check, local D1
 * migrations summarised in one line, `wrangler dev --local` with its [build] command copying the Swagger UI
 * assets, the one-time credentials printed after "Ready on") driven end to end by openid-client 6,
 * unmodified: discovery, RFC 7591 registration with the printed bootstrap admin client's token, PAR + PKCE +
 * DPoP authorization with the printed seed admin signing in and consenting, a DPoP-bound code exchange and refresh, and userinfo with DPoP.
 *
 * It runs in a throwaway copy of the project (node_modules symlinked) so the developer's .dev.vars and
 * .wrangler/state are untouched, and stops the server by signalling start.mjs's whole process group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminToken,
  CookieAgent,
  claimsOf,
  insecure,
  oauthRejection,
  REDIRECT_URI,
  type RegisteredClient,
  registerClient,
  signInAndApprove,
  type TestServer,
} from './support';

const REPO = path.resolve(import.meta.dirname, '..', '..');
/** What `npm start` needs from the working tree (copied as they are now, tracked or not). */
const COPIED = [
  'worker',
  'durable-objects',
  'src',
  'templates',
  'migrations',
  'scripts',
  'public',
  'mcp-server',
  'wrangler.toml',
  'package.json',
  'tsconfig.json',
  'worker-configuration.d.ts',
];
/** Never copied: local state, secrets and build output of the developer's checkout. */
const SKIPPED = new Set(['node_modules', '.wrangler', '.dev.vars', 'dist', 'swagger-ui']);
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const SCOPE = 'openid email profile offline_access';

let dir: string;
let child: ChildProcess | undefined;
let exited: Promise<void> | undefined;
let output = '';
let server: TestServer;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** One `label: value` line of start.mjs's credentials banner. */
function printed(label: string): string {
  const value = new RegExp(`^\\s+${label}:\\s+(\\S+)\\s*$`, 'm').exec(output)?.[1];
  if (!value) throw new Error(`npm start did not print "${label}":\n${output}`);
  return value;
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child?.exitCode !== null || child?.signalCode !== null) {
      throw new Error(`npm start exited (${child?.exitCode ?? child?.signalCode}):\n${output}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`GET /health did not answer 200 within ${READY_TIMEOUT_MS} ms:\n${output}`);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
  for (const name of COPIED) {
    cpSync(path.join(REPO, name), path.join(dir, name), {
      recursive: true,
      filter: (source) => !SKIPPED.has(path.basename(source)),
    });
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The server's own settings come from wrangler.toml and the generated .dev.vars only.
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('OAUTH2_') && !name.startsWith('VITEST')) env[name] = value;
  }
  const started = spawn(process.execPath, [path.join(dir, 'scripts', 'start.mjs'), '--port', String(port)], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  child = started;
  exited = new Promise((resolve) => started.once('exit', () => resolve()));
  started.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  started.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });

  await waitForHealth(url);
  // The credentials box follows wrangler dev's "Ready on" line; give the relay a moment to pass it on.
  for (let i = 0; i < 100 && !/^\s+password:/m.test(output); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server = {
    url,
    adminClientId: printed('client_id'),
    adminClientSecret: printed('client_secret'),
    seedAdmin: { username: printed('username'), password: printed('password') },
    stop: async () => {},
  };
});

afterAll(async () => {
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
    const stopped = await Promise.race([
      exited?.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS)),
    ]);
    if (!stopped) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm start (wrangler dev --local) with openid-client 6: PAR + PKCE + DPoP, bound refresh', () => {
  let registered: RegisteredClient;
  let config: client.Configuration;
  let keyPair: CryptoKeyPair;
  let dpop: client.DPoPHandle;
  let jkt: string;
  let seedAdminId: string;
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;

  beforeAll(async () => {
    const token = await adminToken(server);
    registered = await registerClient(server, token, {
      client_name: 'npm start dpop spa',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      dpop_bound_access_tokens: true,
    });
    config = await client.discovery(
      new URL(server.url),
      registered.client_id,
      undefined,
      client.None(),
      insecure,
    );
    keyPair = await client.randomDPoPKeyPair('ES256');
    dpop = client.getDPoPHandle(config, keyPair);
    jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
  });

  it('prints the generated credentials and serves discovery with PAR and DPoP', () => {
    expect(output).toContain('Created .dev.vars with fresh random secrets');
    expect(server.adminClientId).toBe('admin-client');
    expect(server.seedAdmin.username).toBe('admin');
    // Quiet start: the migrations in one line (no tables), no stale-types hint, the credentials last.
    const summary = output.search(/D1 migrations \(local\): applied \d+ /);
    const ready = output.indexOf('Ready on ');
    const box = output.search(/^\s+client_secret:/m);
    expect(summary, output).toBeGreaterThanOrEqual(0);
    expect(output).not.toContain('Migrations to be applied');
    expect(output).not.toContain('types might be out of date');
    expect(ready, output).toBeGreaterThan(summary);
    expect(box, output).toBeGreaterThan(ready);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.pushed_authorization_request_endpoint).toBe(`${server.url}/oauth/par`);
    expect(metadata.dpop_signing_alg_values_supported).toContain('ES256');
  });

  it('pushes the request with DPoP, the seed admin signs in and consents, the code redeems DPoP-bound', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        redirect_uri: REDIRECT_URI,
        scope: SCOPE,
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      },
      { DPoP: dpop },
    );
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    const callback = await signInAndApprove(new CookieAgent(server.url), url, server.seedAdmin);
    tokens = await client.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: verifier, expectedNonce: nonce, expectedState: state, idTokenExpected: true },
      undefined,
      { DPoP: dpop },
    );
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(claimsOf(tokens.access_token).cnf).toEqual({ jkt });
    expect(typeof tokens.refresh_token).toBe('string');
    seedAdminId = tokens.claims()?.sub as string;
    expect(seedAdminId).toBeTruthy();
  });

  it('fetches userinfo with the DPoP scheme and a proof', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, seedAdminId, { DPoP: dpop });
    expect(info.sub).toBe(seedAdminId);
    expect(info.email).toBe('admin@example.com');
  });

  it('refreshes only with the same DPoP key (the refresh token is bound)', async () => {
    const otherKey = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const stolen = await oauthRejection(
      client.refreshTokenGrant(config, tokens.refresh_token as string, undefined, { DPoP: otherKey }),
    );
    expect(stolen.error).toBe('invalid_grant');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token as string, undefined, {
      DPoP: dpop,
    });
    expect(refreshed.token_type.toLowerCase()).toBe('dpop');
    expect(claimsOf(refreshed.access_token).cnf).toEqual({ jkt });
    const info = await client.fetchUserInfo(config, refreshed.access_token, seedAdminId, { DPoP: dpop });
    expect(info.sub).toBe(seedAdminId);
  });
});
