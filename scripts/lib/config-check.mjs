/**
 * The configuration check shared by `npm run check:config` (scripts/check-config.mjs) and `npm start`
 * (scripts/start.mjs): one implementation, so both print the same problems.
 *
 * It validates with the Worker's own schema (`parseConfig` from src/config.ts, bundled on the fly with
 * esbuild) and warns about OAUTH2_* names the schema does not know (`SETTING_NAMES`), suggesting the nearest
 * known one. Problems and warnings name settings, never their values.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEV_VARS, ROOT, readDotenvFile, SECRET_NAMES, WRANGLER_TOML } from './local-env.mjs';

/** Secrets without which the Worker refuses to serve (or the admin client cannot exist). */
const REQUIRED_SECRETS = ['OAUTH2_SESSION_KEY', 'OAUTH2_KEY_ENCRYPTION_KEY', 'OAUTH2_ADMIN_CLIENT_SECRET'];
const PLACEHOLDER_DATABASE_ID = '00000000-0000-0000-0000-000000000000';

/** wrangler itself reads the config (exact TOML, wrangler environments); esbuild comes with wrangler. */
function wranglerRequire() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  return createRequire(require.resolve('wrangler/package.json'));
}

/** `parseConfig` and `SETTING_NAMES` of src/config.ts. */
async function loadConfigModule(requireFromWrangler) {
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
    if (typeof module.parseConfig !== 'function') {
      throw new Error('src/config.ts does not export parseConfig');
    }
    if (!Array.isArray(module.SETTING_NAMES)) throw new Error('src/config.ts does not export SETTING_NAMES');
    return module;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known name nearest to `name`, when it is close enough to be a likely misspelling. */
export function nearestName(name, known) {
  let best;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const suffixLength = name.replace(/^OAUTH2_/, '').length;
  return bestDistance <= Math.max(2, Math.ceil(suffixLength / 3)) ? best : undefined;
}

/**
 * Checks the configuration. Sources, later ones win:
 *   1. wrangler.toml [vars] (of wrangler environment `env` when given)
 *   2. `envFile`, else .dev.vars unless `production` (only what `wrangler secret put` supplies is checked then)
 *   3. `processEnv` entries whose name starts with OAUTH2_
 * Resolves to `{ sources, problems, notes, warnings }`: problems fail the check, notes and warnings do not.
 * Throws with `code: 'ENVFILE'` when `envFile` does not exist, `code: 'LOAD'` when src/config.ts cannot be
 * loaded.
 */
export async function checkConfig({ production = false, envFile, env, processEnv = process.env } = {}) {
  const requireFromWrangler = wranglerRequire();
  const { unstable_readConfig } = requireFromWrangler('./wrangler-dist/cli.js');

  const problems = [];
  const notes = [];
  const sources = [];
  /** Where each OAUTH2_* name was set (for the unknown-name warning). */
  const origin = new Map();

  // 1. wrangler.toml [vars]
  const wranglerConfig = unstable_readConfig({ config: WRANGLER_TOML, env });
  const vars = wranglerConfig.vars ?? {};
  const varsSource = env ? `wrangler.toml [env.${env}.vars]` : 'wrangler.toml [vars]';
  sources.push(varsSource);
  for (const [name, value] of Object.entries(vars)) {
    origin.set(name, varsSource);
    if (typeof value !== 'string') {
      problems.push(`${name} in wrangler.toml [vars] is not a string (the Worker ignores it): quote it`);
    }
    if (SECRET_NAMES.includes(name)) {
      problems.push(
        `${name} is in wrangler.toml [vars]: secrets belong in .dev.vars / \`wrangler secret put\``,
      );
    }
  }

  // 2. .dev.vars or envFile
  let fileVars = {};
  if (envFile) {
    const parsed = readDotenvFile(envFile);
    if (parsed === undefined) {
      throw Object.assign(new Error(`${envFile} does not exist`), { code: 'ENVFILE' });
    }
    fileVars = parsed;
    sources.push(path.relative(process.cwd(), envFile) || envFile);
  } else if (!production && existsSync(DEV_VARS)) {
    fileVars = readDotenvFile(DEV_VARS) ?? {};
    sources.push('.dev.vars');
  }
  for (const name of Object.keys(fileVars)) origin.set(name, sources.at(-1));

  // 3. the environment's OAUTH2_*
  const processVars = Object.fromEntries(
    Object.entries(processEnv).filter(([name, value]) => name.startsWith('OAUTH2_') && value !== undefined),
  );
  if (Object.keys(processVars).length > 0) sources.push('the environment');
  for (const name of Object.keys(processVars)) origin.set(name, 'the environment');

  const merged = { ...vars, ...fileVars, ...processVars };
  // KV namespaces declared in wrangler.toml stand in for their bindings (OAUTH2_RATE_LIMIT_BACKEND=kv needs
  // RATE_LIMIT_KV bound).
  for (const kv of wranglerConfig.kv_namespaces ?? []) merged[kv.binding] ??= { kvNamespace: kv.binding };

  if (production) {
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

  let module;
  try {
    module = await loadConfigModule(requireFromWrangler);
  } catch (error) {
    throw Object.assign(new Error(`cannot load src/config.ts: ${error?.message ?? error}`), { code: 'LOAD' });
  }

  const warnings = [];
  const known = new Set(module.SETTING_NAMES);
  for (const name of Object.keys(merged)) {
    if (!name.startsWith('OAUTH2_') || known.has(name)) continue;
    const nearest = nearestName(name, known);
    warnings.push(
      `warning: ${name} (in ${origin.get(name) ?? 'the configuration'}) is not a known setting` +
        (nearest ? `: did you mean ${nearest}?` : ''),
    );
  }

  const result = module.parseConfig(merged);
  if (!result.ok) {
    for (const problem of result.problems) {
      // Already reported above with the `wrangler secret put` hint.
      if (!problems.some((p) => p.startsWith(`${problem}:`))) problems.push(problem);
    }
  }
  return { sources, problems, notes, warnings };
}
