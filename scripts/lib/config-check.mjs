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
import { generateSecrets, randomSecret } from './secrets.mjs';
import { wranglerLoggedIn, wranglerSecretNames } from './wrangler-cli.mjs';

/** Secrets without which the Worker refuses to serve (or the admin client cannot exist). */
const REQUIRED_SECRETS = ['OAUTH2_SESSION_KEY', 'OAUTH2_KEY_ENCRYPTION_KEY', 'OAUTH2_ADMIN_CLIENT_SECRET'];
/** Secrets production should have: without them there is no seed admin, and GET /metrics is public. */
const RECOMMENDED_SECRETS = ['OAUTH2_SEED_PASSWORD', 'OAUTH2_METRICS_TOKEN'];

/** Whether a resource id in wrangler.toml is missing or still a placeholder (all zeros, `<...>`, "replace"). */
export function isPlaceholderId(id) {
  const text = String(id ?? '').trim();
  return text === '' || /^[0-]+$/.test(text) || /[<>]|replace|your|placeholder|todo/i.test(text);
}

/**
 * The Worker's secret names as Cloudflare has them: `{ names }` when wrangler is logged in, else
 * `{ names: undefined, reason }` (what could not be verified is then a warning, not a failure).
 */
export function remoteSecretNames({ env, cwd = ROOT } = {}) {
  if (!wranglerLoggedIn({ cwd })) return { names: undefined, reason: 'wrangler is not logged in' };
  try {
    return { names: wranglerSecretNames({ cwd, env }) };
  } catch (error) {
    return { names: undefined, reason: error?.message ?? String(error) };
  }
}

/** wrangler itself reads the config (exact TOML, wrangler environments); esbuild comes with wrangler. */
function wranglerRequire() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  return createRequire(require.resolve('wrangler/package.json'));
}

/**
 * Imports a TypeScript module of the Worker in Node: bundles `entry` (relative to the repository root) with
 * the esbuild that comes with wrangler into a temporary file and imports that.
 */
export async function importTsModule(entry, requireFromWrangler = wranglerRequire()) {
  const esbuild = requireFromWrangler('esbuild');
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-module-'));
  const outfile = path.join(dir, 'module.mjs');
  try {
    await esbuild.build({
      entryPoints: [path.join(ROOT, entry)],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile,
      logLevel: 'silent',
    });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `parseConfig` and `SETTING_NAMES` of src/config.ts. */
async function loadConfigModule(requireFromWrangler) {
  const module = await importTsModule(path.join('src', 'config.ts'), requireFromWrangler);
  if (typeof module.parseConfig !== 'function') {
    throw new Error('src/config.ts does not export parseConfig');
  }
  if (!Array.isArray(module.SETTING_NAMES)) throw new Error('src/config.ts does not export SETTING_NAMES');
  return module;
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
 * With `production`, secrets none of these set are looked up in the Worker's secret names (`remoteSecrets`,
 * by default `remoteSecretNames()`: `wrangler secret list` when wrangler is logged in). A required secret
 * missing there is a problem; one that could not be verified (not logged in) is a warning.
 * Resolves to `{ sources, problems, notes, warnings }`: problems fail the check, notes and warnings do not.
 * Throws with `code: 'ENVFILE'` when `envFile` does not exist, `code: 'LOAD'` when src/config.ts cannot be
 * loaded.
 */
export async function checkConfig({
  production = false,
  envFile,
  env,
  processEnv = process.env,
  remoteSecrets,
} = {}) {
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

  const warnings = [];
  if (production) {
    const names = [...REQUIRED_SECRETS, ...RECOMMENDED_SECRETS];
    const isSet = (name) => typeof merged[name] === 'string' && merged[name].trim() !== '';
    let remote = { names: [] };
    if (!names.every(isSet)) {
      remote = remoteSecrets ?? remoteSecretNames({ env });
      if (remote.names) sources.push('wrangler secret list');
    }
    // Stand-ins of the right shape for secrets Cloudflare holds (or that could not be verified), so that the
    // schema checks everything else; a secret's value can never be read back.
    const standIns = { ...generateSecrets(), OAUTH2_METRICS_TOKEN: randomSecret() };
    const unverified = [];
    for (const name of names) {
      if (isSet(name)) continue;
      if (remote.names === undefined) {
        unverified.push(name);
        merged[name] = standIns[name];
      } else if (remote.names.includes(name)) {
        merged[name] = standIns[name];
      } else if (REQUIRED_SECRETS.includes(name)) {
        problems.push(`${name} is not set: supply it with \`wrangler secret put ${name}\``);
      } else if (name === 'OAUTH2_SEED_PASSWORD') {
        notes.push(
          'note: OAUTH2_SEED_PASSWORD is not set: no seed admin user will be created ' +
            '(`wrangler secret put OAUTH2_SEED_PASSWORD` to have one)',
        );
      } else {
        notes.push(
          'warning: OAUTH2_METRICS_TOKEN is not set: GET /metrics is public ' +
            '(`wrangler secret put OAUTH2_METRICS_TOKEN` and have the scraper send it as a Bearer token)',
        );
      }
    }
    if (unverified.length > 0) {
      warnings.push(
        `warning: could not verify the secrets ${unverified.join(', ')} (${remote.reason}): ` +
          '`wrangler login` and check again',
      );
    }
    if (/^(1|true|yes|on)$/i.test(String(merged.OAUTH2_ALLOW_INSECURE_DEFAULTS ?? '').trim())) {
      problems.push('OAUTH2_ALLOW_INSECURE_DEFAULTS is on: never in production');
    }
    if (/^(1|true|yes|on)$/i.test(String(merged.OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP ?? '').trim())) {
      problems.push('OAUTH2_OUTBOUND_ALLOW_LOOPBACK_HTTP is on: never in production');
    }
    if (/^(0|false|no|off)$/i.test(String(merged.OAUTH2_MFA_REQUIRED_FOR_ADMINS ?? '').trim())) {
      warnings.push(
        'warning: OAUTH2_MFA_REQUIRED_FOR_ADMINS is off: administrators may use the admin pages with a password ' +
          'alone (docs/mfa.md)',
      );
    }
    if (String(merged.OAUTH2_PUBLIC_URL ?? '').trim() === '') {
      warnings.push(
        'warning: OAUTH2_PUBLIC_URL is not set: the issuer will be the origin of each request; set it to the ' +
          'https origin clients use (wrangler.toml [vars])',
      );
    }
    for (const db of wranglerConfig.d1_databases ?? []) {
      if (isPlaceholderId(db.database_id)) {
        problems.push(
          `d1_databases ${db.binding} database_id is a placeholder: \`npm run setup:cloudflare\` creates the ` +
            'database and writes its id',
        );
      }
    }
    for (const kv of wranglerConfig.kv_namespaces ?? []) {
      if (isPlaceholderId(kv.id)) {
        problems.push(
          `kv_namespaces ${kv.binding} id is a placeholder: \`npm run setup:cloudflare\` creates the namespace ` +
            'and writes its id',
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
