/**
 * Serves the built Worker bundle under the Miniflare 4 API, for the benchmark (bench/run.mjs) and the
 * Node end-to-end tests (test/node/**).
 *
 *   const server = await startServer({ port: 0, vars: { OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' } });
 *   // server.url, server.adminClientId, server.adminClientSecret, server.seedAdmin ({ username, password })
 *   await server.stop();
 *
 * - The Worker is bundled once per process with `wrangler deploy --dry-run --outdir <temp dir>`, i.e. exactly
 *   what `npm run deploy` would upload.
 * - Bindings come from wrangler.toml (read with wrangler's own config reader, so the file stays the single
 *   source): [vars], the D1 database(s), the Durable Object bindings (SQLite storage when the class appears in
 *   a `new_sqlite_classes` migration), the queue producers and consumers, the compatibility date and flags. Secrets are fresh random values per
 *   server; `.dev.vars` is never read. Static assets are left out (no scenario needs them, and the asset
 *   router would add a hop in front of every request).
 * - Storage is in memory; every `migrations_dir` SQL file is applied in file-name order before the server is
 *   returned.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Miniflare } from 'miniflare';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const WRANGLER_BIN = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
const WRANGLER_TOML = path.join(ROOT, 'wrangler.toml');

/** The secrets a deployment supplies with `wrangler secret put` (see wrangler.toml's header comment). */
const SECRET_NAMES = [
  'OAUTH2_SESSION_KEY',
  'OAUTH2_KEY_ENCRYPTION_KEY',
  'OAUTH2_ADMIN_CLIENT_SECRET',
  'OAUTH2_SEED_PASSWORD',
];

const NO_NETWORK_ENV = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' };

/** @type {Promise<{ dir: string, scriptPath: string }> | undefined} */
let bundlePromise;

/** Builds the Worker once per process; the temp dir is removed when the process exits. */
function buildOnce() {
  bundlePromise ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-oauth2-bundle-'));
    process.once('exit', () => {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {}
    });
    try {
      await promisify(execFile)(WRANGLER_BIN, ['deploy', '--dry-run', '--outdir', dir], {
        cwd: ROOT,
        env: { ...process.env, ...NO_NETWORK_ENV },
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (error) {
      const e = /** @type {{ stdout?: string, stderr?: string, message: string }} */ (error);
      throw new Error(`wrangler deploy --dry-run failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
    const scriptPath = path.join(dir, 'index.js');
    if (!existsSync(scriptPath)) throw new Error(`wrangler produced no ${scriptPath}`);
    return { dir, scriptPath };
  })();
  bundlePromise.catch(() => {
    bundlePromise = undefined; // let a later call retry (e.g. a file was mid-edit)
  });
  return bundlePromise;
}

/** wrangler's own config reader and SQL splitter (pinned wrangler; imported lazily, it takes ~1-2 s). */
let wranglerPromise;
function wranglerApi() {
  for (const [k, v] of Object.entries(NO_NETWORK_ENV)) process.env[k] ??= v;
  wranglerPromise ??= import('wrangler');
  return wranglerPromise;
}

/** Miniflare options for the bindings declared in wrangler.toml (top-level environment). */
export async function bindingsFromWranglerToml() {
  const wrangler = await wranglerApi();
  const config = wrangler.unstable_readConfig({ config: WRANGLER_TOML }, { hideWarnings: true });
  const sqliteClasses = wrangler.unstable_getDurableObjectClassNameToUseSQLiteMap(config.migrations);
  /** @type {Record<string, string>} */
  const vars = {};
  for (const [name, value] of Object.entries(config.vars ?? {})) {
    vars[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  /** @type {Record<string, string>} */
  const d1Databases = {};
  /** @type {Record<string, string>} binding -> absolute migrations dir */
  const migrationsDirs = {};
  for (const db of config.d1_databases ?? []) {
    d1Databases[db.binding] = db.preview_database_id ?? db.database_id ?? db.binding;
    migrationsDirs[db.binding] = path.resolve(ROOT, db.migrations_dir ?? 'migrations');
  }
  /** @type {Record<string, { className: string, useSQLite: boolean }>} */
  const durableObjects = {};
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (binding.script_name) throw new Error(`external Durable Object ${binding.name} is not supported`);
    durableObjects[binding.name] = {
      className: binding.class_name,
      useSQLite: sqliteClasses.get(binding.class_name) ?? false,
    };
  }
  /** @type {Record<string, { queueName: string }>} */
  const queueProducers = {};
  for (const producer of config.queues?.producers ?? []) {
    queueProducers[producer.binding] = { queueName: producer.queue };
  }
  /** @type {Record<string, { maxBatchSize?: number, maxBatchTimeout?: number, maxRetries?: number, deadLetterQueue?: string, retryDelay?: number }>} */
  const queueConsumers = {};
  for (const consumer of config.queues?.consumers ?? []) {
    queueConsumers[consumer.queue] = {
      maxBatchSize: consumer.max_batch_size,
      maxBatchTimeout: consumer.max_batch_timeout,
      maxRetries: consumer.max_retries,
      deadLetterQueue: consumer.dead_letter_queue,
      retryDelay: consumer.retry_delay,
    };
  }
  return {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    vars,
    d1Databases,
    migrationsDirs,
    durableObjects,
    queueProducers,
    queueConsumers,
    splitSql: /** @type {(sql: string) => string[]} */ (wrangler.unstable_splitSqlQuery),
  };
}

/** Applies every *.sql file of `dir` in name order, one statement at a time (D1's exec() splits on lines). */
async function applyMigrations(db, dir, splitSql) {
  if (!existsSync(dir)) return;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  for (const file of files) {
    const sql = await readFile(path.join(dir, file), 'utf8');
    // drizzle-kit separates statements with `--> statement-breakpoint` (an SQL comment); split on it first,
    // then let wrangler's splitter (string- and comment-aware, as `wrangler d1 migrations apply`) do the rest.
    const statements = sql
      .split(/-->\s*statement-breakpoint/)
      .flatMap((chunk) => splitSql(chunk))
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (const statement of statements) {
      try {
        await db.prepare(statement).run();
      } catch (error) {
        throw new Error(`migration ${file} failed at: ${statement.slice(0, 120)}\n${error}`);
      }
    }
  }
}

const randomSecret = () => randomBytes(32).toString('base64url');

/**
 * Load runs and end-to-end tests send many requests from one address: rate limits far above what they send
 * (the limiter still runs, so the benchmark pays its cost). Overridable through `vars`.
 */
const HARNESS_VARS = {
  OAUTH2_RATE_LIMIT_MAX_REQUESTS: '1000000000',
  OAUTH2_RATE_LIMIT_INVALID_CLIENT_MAX_REQUESTS: '1000000000',
  OAUTH2_RATE_LIMIT_REGISTRATION_MAX_REQUESTS: '1000000000',
};

/** Calls `onLine` for every line written to the given streams. */
function forwardLines(streams, onLine) {
  for (const stream of streams) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
  }
}

/**
 * Starts the built Worker on 127.0.0.1.
 * - `queueConsumer` overrides settings of every queue consumer (e.g. `{ maxBatchTimeout: 1 }` in tests).
 * - `onOutput(line)` receives the Worker's console output instead of this process's stdout/stderr.
 * - `inspectorPort` opens workerd's V8 inspector there (bench/profile.mjs takes CPU profiles through it).
 * @param {{ port?: number, vars?: Record<string, string | number | boolean>, queueConsumer?: Record<string, number>, onOutput?: (line: string) => void, inspectorPort?: number }} [options]
 * @returns {Promise<{ url: string, adminClientId: string, adminClientSecret: string, seedAdmin: { username: string, password: string }, stop(): Promise<void> }>}
 */
export async function startServer({ port = 0, vars = {}, queueConsumer = {}, onOutput, inspectorPort } = {}) {
  const [{ dir, scriptPath }, toml] = await Promise.all([buildOnce(), bindingsFromWranglerToml()]);

  /** @type {Record<string, string>} */
  const bindings = { ...toml.vars };
  for (const name of SECRET_NAMES) bindings[name] = randomSecret();
  for (const [name, value] of Object.entries(HARNESS_VARS)) bindings[name] = value;
  for (const [name, value] of Object.entries(vars)) bindings[name] = String(value);

  const mf = new Miniflare({
    host: '127.0.0.1',
    port,
    modules: true,
    scriptPath,
    modulesRoot: dir, // module names must not climb out of the root (the bundle lives in a temp dir)
    compatibilityDate: toml.compatibilityDate,
    compatibilityFlags: toml.compatibilityFlags,
    bindings,
    d1Databases: toml.d1Databases,
    durableObjects: toml.durableObjects,
    queueProducers: toml.queueProducers,
    queueConsumers: Object.fromEntries(
      Object.entries(toml.queueConsumers).map(([queue, options]) => [
        queue,
        { ...options, ...queueConsumer },
      ]),
    ),
    ...(onOutput ? { handleRuntimeStdio: (stdout, stderr) => forwardLines([stdout, stderr], onOutput) } : {}),
    ...(inspectorPort ? { inspectorPort } : {}),
    // No *Persist options: D1 and Durable Object storage stay in memory and vanish with the server.
  });
  try {
    const url = await mf.ready;
    for (const [binding, dir] of Object.entries(toml.migrationsDirs)) {
      await applyMigrations(await mf.getD1Database(binding), dir, toml.splitSql);
    }
    const adminClientId = bindings.OAUTH2_ADMIN_CLIENT_ID;
    const adminClientSecret = bindings.OAUTH2_ADMIN_CLIENT_SECRET;
    if (!adminClientId || !adminClientSecret) throw new Error('no OAUTH2_ADMIN_CLIENT_ID/_SECRET configured');
    return {
      url: url.origin,
      scriptPath, // the bundle it serves (profiles refer to its lines)
      adminClientId,
      adminClientSecret,
      // The seed admin user (created on first use), e.g. for signing in to the admin pages.
      seedAdmin: {
        username: bindings.OAUTH2_SEED_USERNAME ?? 'admin',
        password: bindings.OAUTH2_SEED_PASSWORD,
      },
      stop: stopOnce(mf),
    };
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
}

/**
 * The emulator's own floor: a Worker that only answers `GET` with a small JSON body, under Miniflare with
 * the compatibility date and flags of wrangler.toml and no bindings. What any Worker pays per request here
 * before its first line of code runs (bench scenario `runtime_floor`).
 */
export async function startFloorServer({ port = 0 } = {}) {
  const toml = await bindingsFromWranglerToml();
  const mf = new Miniflare({
    host: '127.0.0.1',
    port,
    modules: true,
    script:
      "export default { fetch() { return new Response('{\"status\":\"ok\"}', { headers: { 'content-type': 'application/json' } }); } };",
    compatibilityDate: toml.compatibilityDate,
    compatibilityFlags: toml.compatibilityFlags,
    handleRuntimeStdio: (stdout, stderr) => forwardLines([stdout, stderr], () => {}),
  });
  try {
    return { url: (await mf.ready).origin, stop: stopOnce(mf) };
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
}

/** A stop() that disposes of `mf` once, however often it is called. */
function stopOnce(mf) {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    await mf.dispose();
  };
}

/** Removes this process's bundle now (optional; it is also removed at exit). */
export async function cleanupBuild() {
  const pending = bundlePromise;
  bundlePromise = undefined;
  if (!pending) return;
  const { dir } = await pending.catch(() => ({ dir: undefined }));
  if (dir) await rm(dir, { recursive: true, force: true });
}
