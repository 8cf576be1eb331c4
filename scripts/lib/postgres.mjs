/**
 * PostgreSQL helpers for tests and local runs: find the server binaries, run a throwaway cluster
 * (initdb in a temp directory, as the `postgres` user when running as root, fsync off, loopback only),
 * and apply migrations/pg with drizzle's node-postgres migrator.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './local-env.mjs';

export const PG_MIGRATIONS = path.join(ROOT, 'migrations', 'pg');

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The directory holding `initdb` and `postgres`: `$PGBIN` when set (and only it), else the first on
 * PATH, else the newest /usr/lib/postgresql/<version>/bin (Debian installs them there, off PATH).
 * null when none.
 */
export function findPgBin() {
  if (process.env.PGBIN !== undefined) {
    const dir = process.env.PGBIN;
    return isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres')) ? dir : null;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'postgres'))) return dir;
  }
  const base = '/usr/lib/postgresql';
  let versions = [];
  try {
    versions = readdirSync(base).filter((v) => /^\d+$/.test(v));
  } catch {
    return null;
  }
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const dir = path.join(base, version, 'bin');
    if (isExecutable(path.join(dir, 'initdb'))) return dir;
  }
  return null;
}

/** A free TCP port on 127.0.0.1 (bound then released: another process could still take it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** uid/gid of the `postgres` user from /etc/passwd (initdb and postgres refuse to run as root). */
function postgresUser() {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(file, args, options) {
  const result = spawnSync(file, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(file)} failed (${result.status}): ${(result.stderr || result.stdout).trim()}`,
    );
  }
  return result.stdout;
}

/** True when initdb supports the ICU locale provider (PostgreSQL ≥ 15 built with ICU). */
function hasIcu(bin) {
  const help = spawnSync(path.join(bin, 'initdb'), ['--help'], { encoding: 'utf8' }).stdout ?? '';
  return help.includes('--locale-provider');
}

async function waitForPort(port, child, log, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}):\n${log()}`);
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`postgres did not listen on ${port} in ${timeoutMs} ms:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts a throwaway cluster on 127.0.0.1:`port` (a free one by default) with SCRAM password auth,
 * creates `database` (and `extraDatabases`) owned by role `user`, and resolves to
 * `{ url, urlOf(name), port, stop() }`. The data directory is
 * a fresh temp directory removed by stop(). A non-C default collation (ICU `en`) is used when available,
 * so byte-order assumptions in queries show up here rather than in production.
 */
export async function startCluster({
  bin = findPgBin(),
  port,
  database = 'oauth2',
  extraDatabases = [],
  user = 'oauth2',
} = {}) {
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, postgres) were not found');
  const listenPort = port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'oauth2-pg-'));
  const data = path.join(dir, 'data');
  const superPassword = randomBytes(18).toString('base64url');
  const password = randomBytes(18).toString('base64url');
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });

  const asPostgres = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (asPostgres) {
    chownSync(dir, asPostgres.uid, asPostgres.gid);
    chownSync(pwfile, asPostgres.uid, asPostgres.gid);
  }
  chmodSync(dir, 0o700);
  const spawnAs = asPostgres ? { uid: asPostgres.uid, gid: asPostgres.gid } : {};
  const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

  const locale = hasIcu(bin) ? ['--locale-provider=icu', '--icu-locale=en', '--locale=C.UTF-8'] : [];
  run(
    path.join(bin, 'initdb'),
    [
      '-D',
      data,
      '-U',
      'postgres',
      '--pwfile',
      pwfile,
      '--auth=scram-sha-256',
      '-E',
      'UTF8',
      '--no-sync',
      ...locale,
    ],
    { ...spawnAs, env, cwd: dir },
  );

  let output = '';
  const child = spawn(
    path.join(bin, 'postgres'),
    [
      '-D',
      data,
      '-c',
      `port=${listenPort}`,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${dir}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { ...spawnAs, env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  // If this process ends without stop() (a crash, process.exit), take the server and its files along.
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await waitForPort(listenPort, child, () => output, 30_000);
    const { default: pg } = await import('pg');
    const admin = new pg.Client({
      host: '127.0.0.1',
      port: listenPort,
      user: 'postgres',
      password: superPassword,
      database: 'postgres',
    });
    await waitForLogin(admin, () => output);
    try {
      // Identifiers are ours (fixed names), the password a random base64url string.
      await admin.query(`CREATE ROLE "${user}" LOGIN PASSWORD '${password}'`);
      for (const name of [database, ...extraDatabases]) {
        await admin.query(`CREATE DATABASE "${name}" OWNER "${user}"`);
      }
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const urlOf = (name) => `postgres://${user}:${password}@127.0.0.1:${listenPort}/${name}`;
  return { url: urlOf(database), urlOf, port: listenPort, stop };
}

/** The server accepts TCP before it accepts logins (startup recovery): retry for a few seconds. */
async function waitForLogin(client, log) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await client.connect();
      return;
    } catch (error) {
      if (Date.now() > deadline || !/starting up|ECONNREFUSED|Connection terminated/.test(String(error))) {
        throw new Error(`cannot log in to the new cluster: ${error}\n${log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Applies migrations/pg to `url` (drizzle node-postgres migrator; records them in drizzle.__drizzle_migrations). */
export async function migratePg(url, migrationsFolder = PG_MIGRATIONS) {
  const [{ default: pg }, { drizzle }, { migrate }] = await Promise.all([
    import('pg'),
    import('drizzle-orm/node-postgres'),
    import('drizzle-orm/node-postgres/migrator'),
  ]);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Quiet the NOTICEs of CREATE SCHEMA/TABLE IF NOT EXISTS on re-runs.
    client.on('notice', () => {});
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end();
  }
}

/** True when `url` names a host on this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(url) {
  const parsed = URL.parse(url);
  if (!parsed) return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `host:port` of a postgres URL (port 5432 by default). */
export function addressOf(url) {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return `${host.includes(':') ? `[${host}]` : host}:${parsed.port || '5432'}`;
}
