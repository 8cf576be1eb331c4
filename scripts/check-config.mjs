#!/usr/bin/env node
/**
 * `npm run check:config [-- --production] [-- --env-file F] [-- --env NAME]`
 *
 * Validates the configuration a deploy would use with the Worker's own schema (`parseConfig` from
 * src/config.ts, bundled on the fly with esbuild). Sources, later ones win:
 *   1. wrangler.toml [vars] (of wrangler environment NAME with --env NAME)
 *   2. .dev.vars, or the dotenv file given with --env-file F
 *      (--production ignores .dev.vars: only what `wrangler secret put` would have to supply is checked)
 *   3. process.env entries whose name starts with OAUTH2_
 * Prints `config ok`, or each problem on its own line (names only, never a value) and exits 1.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEV_VARS, ROOT, readDotenvFile, SECRET_NAMES, WRANGLER_TOML } from './lib/local-env.mjs';

process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

/** Secrets without which the Worker refuses to serve (or the admin client cannot exist). */
const REQUIRED_SECRETS = ['OAUTH2_SESSION_KEY', 'OAUTH2_KEY_ENCRYPTION_KEY', 'OAUTH2_ADMIN_CLIENT_SECRET'];
const PLACEHOLDER_DATABASE_ID = '00000000-0000-0000-0000-000000000000';

function usage(message) {
  if (message) console.error(`check-config: ${message}`);
  console.error('usage: npm run check:config [-- --production] [--env-file FILE] [--env NAME]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { production: false, envFile: undefined, env: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const m = /^--(env-file|env)(?:=(.*))?$/.exec(arg);
    if (arg === '--production') options.production = true;
    else if (arg === '-h' || arg === '--help') usage();
    else if (m) {
      const value = m[2] ?? argv[++i];
      if (!value) usage(`--${m[1]} needs a value`);
      if (m[1] === 'env-file') options.envFile = path.resolve(value);
      else options.env = value;
    } else usage(`unknown argument ${arg}`);
  }
  return options;
}

/** wrangler itself reads the config (exact TOML, wrangler environments); esbuild comes with wrangler. */
function wranglerRequire() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  return createRequire(require.resolve('wrangler/package.json'));
}

async function loadParseConfig(requireFromWrangler) {
  const esbuild = requireFromWrangler('esbuild');
  const dir = mkdtempSync(path.join(tmpdir(), 'check-config-'));
  const outfile = path.join(dir, 'config.mjs');
  try {
    await esbuild.build({
      entryPoints: [path.join(ROOT, 'src', 'config.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    const module = await import(pathToFileURL(outfile).href);
    if (typeof module.parseConfig !== 'function')
      throw new Error('src/config.ts does not export parseConfig');
    return module.parseConfig;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const options = parseArgs(process.argv.slice(2));
const requireFromWrangler = wranglerRequire();
const { unstable_readConfig } = requireFromWrangler('./wrangler-dist/cli.js');

const problems = [];
const notes = [];
const sources = [];

// 1. wrangler.toml [vars]
const wranglerConfig = unstable_readConfig({ config: WRANGLER_TOML, env: options.env });
const vars = wranglerConfig.vars ?? {};
sources.push(options.env ? `wrangler.toml [env.${options.env}.vars]` : 'wrangler.toml [vars]');
for (const [name, value] of Object.entries(vars)) {
  if (typeof value !== 'string') {
    problems.push(`${name} in wrangler.toml [vars] is not a string (the Worker ignores it): quote it`);
  }
  if (SECRET_NAMES.includes(name)) {
    problems.push(
      `${name} is in wrangler.toml [vars]: secrets belong in .dev.vars / \`wrangler secret put\``,
    );
  }
}

// 2. .dev.vars or --env-file
let fileVars = {};
if (options.envFile) {
  const parsed = readDotenvFile(options.envFile);
  if (parsed === undefined) usage(`--env-file ${options.envFile} does not exist`);
  fileVars = parsed;
  sources.push(path.relative(process.cwd(), options.envFile) || options.envFile);
} else if (!options.production && existsSync(DEV_VARS)) {
  fileVars = readDotenvFile(DEV_VARS) ?? {};
  sources.push('.dev.vars');
}

// 3. process.env OAUTH2_*
const processVars = Object.fromEntries(
  Object.entries(process.env).filter(([name, value]) => name.startsWith('OAUTH2_') && value !== undefined),
);
if (Object.keys(processVars).length > 0) sources.push('process.env OAUTH2_*');

const merged = { ...vars, ...fileVars, ...processVars };
// KV namespaces declared in wrangler.toml stand in for their bindings (OAUTH2_RATE_LIMIT_BACKEND=kv needs
// RATE_LIMIT_KV bound).
for (const kv of wranglerConfig.kv_namespaces ?? []) merged[kv.binding] ??= { kvNamespace: kv.binding };
console.error(`check-config: ${options.production ? 'production, ' : ''}from ${sources.join(' < ')}`);

if (options.production) {
  for (const name of REQUIRED_SECRETS) {
    if (typeof merged[name] !== 'string' || merged[name].trim() === '') {
      problems.push(`${name} is not set: supply it with \`wrangler secret put ${name}\``);
    }
  }
  if (typeof merged.OAUTH2_SEED_PASSWORD !== 'string' || merged.OAUTH2_SEED_PASSWORD.trim() === '') {
    notes.push(
      'note: OAUTH2_SEED_PASSWORD is not set: no seed admin user will be created ' +
        '(`wrangler secret put OAUTH2_SEED_PASSWORD` to have one)',
    );
  }
  if (typeof merged.OAUTH2_METRICS_TOKEN !== 'string' || merged.OAUTH2_METRICS_TOKEN.trim() === '') {
    notes.push(
      'warning: OAUTH2_METRICS_TOKEN is not set: GET /metrics is public ' +
        '(`wrangler secret put OAUTH2_METRICS_TOKEN` and have the scraper send it as a Bearer token)',
    );
  }
  if (/^(1|true|yes|on)$/i.test(String(merged.OAUTH2_ALLOW_INSECURE_DEFAULTS ?? '').trim())) {
    problems.push('OAUTH2_ALLOW_INSECURE_DEFAULTS is on: never in production');
  }
  if (/^(1|true|yes|on)$/i.test(String(merged.OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP ?? '').trim())) {
    problems.push('OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP is on: never in production');
  }
  for (const db of wranglerConfig.d1_databases ?? []) {
    if (!db.database_id || db.database_id === PLACEHOLDER_DATABASE_ID) {
      problems.push(
        `d1_databases ${db.binding} database_id is a placeholder: use the id from \`wrangler d1 create\``,
      );
    }
  }
}

let parseConfig;
try {
  parseConfig = await loadParseConfig(requireFromWrangler);
} catch (error) {
  console.error(`check-config: cannot load parseConfig from src/config.ts: ${error?.message ?? error}`);
  process.exit(2);
}
const result = parseConfig(merged);
if (!result.ok) {
  for (const problem of result.problems) {
    // Already reported above with the `wrangler secret put` hint.
    if (!problems.some((p) => p.startsWith(`${problem}:`))) problems.push(problem);
  }
}

for (const note of notes) console.log(note);
if (problems.length === 0) {
  console.log('config ok');
} else {
  for (const problem of problems) console.log(problem);
  process.exit(1);
}
