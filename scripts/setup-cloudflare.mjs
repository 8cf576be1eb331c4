#!/usr/bin/env node
/**
 * `npm run setup:cloudflare [-- --dry-run] [-- --dir DIR]`: prepares a Cloudflare account for `npm run deploy`.
 *
 * With wrangler logged in (`wrangler whoami`; it stops with a clear message when not):
 *   1. creates what wrangler.toml needs and does not exist yet: the D1 database, the event queues (every queue
 *      named by a producer, consumer or dead_letter_queue) and, when the KV rate limiter is chosen
 *      (OAUTH2_RATE_LIMIT_BACKEND=kv in [vars], or a RATE_LIMIT_KV binding declared), a KV namespace;
 *   2. writes the ids into wrangler.toml (only the id lines change; a missing [[kv_namespaces]] entry for
 *      RATE_LIMIT_KV is appended);
 *   3. generates each secret the Worker's secret list lacks (the ones `npm start` writes to .dev.vars, plus
 *      OAUTH2_METRICS_TOKEN) and puts it with `wrangler secret put NAME`, the value on stdin. Secrets that
 *      already exist are kept: wrangler cannot read them back, so they are never overwritten;
 *   4. applies the remote D1 migrations;
 *   5. prints the bootstrap admin client and seed admin credentials it generated once, boxed, last, and saves
 *      them to .cloudflare-credentials (mode 0600, git-ignored).
 * A second run creates and puts nothing. `--dry-run` prints the commands that would change something and
 * changes nothing. DIR (default: this project) holds wrangler.toml and .gitignore; wrangler runs there.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isPlaceholderId } from './lib/config-check.mjs';
import { parseDotenv, ROOT, SECRET_NAMES } from './lib/local-env.mjs';
import { generateSecrets, randomSecret } from './lib/secrets.mjs';
import { parseJsonOutput, runWrangler, wranglerLoggedIn, wranglerSecretNames } from './lib/wrangler-cli.mjs';

const CREDENTIALS_FILE = '.cloudflare-credentials';
const KV_BINDING = 'RATE_LIMIT_KV';
/** Every secret this script generates: the local set of `npm start`, plus the /metrics bearer token. */
const SETUP_SECRETS = [...SECRET_NAMES, 'OAUTH2_METRICS_TOKEN'];

function usage(message) {
  if (message) console.error(`setup-cloudflare: ${message}`);
  console.error('usage: npm run setup:cloudflare [-- --dry-run] [--dir DIR]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { dryRun: false, dir: ROOT };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const m = /^--dir(?:=(.*))?$/.exec(arg);
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '-h' || arg === '--help') usage();
    else if (m) {
      const value = m[1] ?? argv[++i];
      if (!value) usage('--dir needs a value');
      options.dir = path.resolve(value);
    } else usage(`unknown argument ${arg}`);
  }
  return options;
}

function fail(message) {
  console.error(`setup-cloudflare: ${message}`);
  process.exit(1);
}

const { dryRun, dir } = parseArgs(process.argv.slice(2));
const tomlPath = path.join(dir, 'wrangler.toml');
if (!existsSync(tomlPath)) fail(`${tomlPath} does not exist`);

/** Runs a read-only wrangler command; its output is returned, never printed unless it fails. */
function query(args) {
  const result = runWrangler(args, { cwd: dir });
  if (!result.ok) fail(`\`wrangler ${args.join(' ')}\` failed:\n${result.output.trim()}`);
  return result.stdout;
}

/** Runs (or with --dry-run, prints) a wrangler command that changes something. */
function change(args, { input, note = '' } = {}) {
  const line = `wrangler ${args.join(' ')}${note}`;
  if (dryRun) {
    console.log(`would run: ${line}`);
    return '';
  }
  console.log(`running: ${line}`);
  const result = runWrangler(args, { cwd: dir, input });
  // The output of a failed command is shown; a value given on stdin is never part of it.
  if (!result.ok) fail(`\`${line}\` failed:\n${result.output.trim()}`);
  return result.stdout;
}

// --- 0. wrangler.toml and the login -------------------------------------------------------------------

const loggedIn = wranglerLoggedIn({ cwd: dir });
if (!loggedIn && !dryRun) {
  fail(
    'wrangler is not logged in (`wrangler whoami`): run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN) first.',
  );
}
if (!loggedIn) {
  console.log('wrangler is not logged in: showing every command, as for an empty account.');
}

const requireFromWrangler = createRequire(
  createRequire(path.join(ROOT, 'package.json')).resolve('wrangler/package.json'),
);
const { unstable_readConfig } = requireFromWrangler('./wrangler-dist/cli.js');
const config = unstable_readConfig({ config: tomlPath });

let toml = readFileSync(tomlPath, 'utf8');
let tomlChanged = false;

/**
 * Sets `key = "value"` inside the first `[[table]]` entry whose binding is `binding`: only that line changes
 * (a comment after the value is kept). Returns false when the entry or the key line is missing.
 */
function setTomlId(table, binding, key, value) {
  const lines = toml.split('\n');
  let inEntry = false;
  let matches = false;
  let keyLine = -1;
  // One step past the end closes the last entry.
  for (let i = 0; i <= lines.length; i += 1) {
    const trimmed = i < lines.length ? (lines[i] ?? '').trim() : '[';
    if (trimmed.startsWith('[')) {
      if (inEntry && matches && keyLine >= 0) {
        const line = lines[keyLine] ?? '';
        const next = line.replace(/=\s*(["'])[^"']*\1/, `= "${value}"`);
        if (next !== line) {
          lines[keyLine] = next;
          toml = lines.join('\n');
          tomlChanged = true;
        }
        return true;
      }
      inEntry = trimmed.replace(/\s+/g, '').startsWith(`[[${table}]]`);
      matches = false;
      keyLine = -1;
      continue;
    }
    if (!inEntry) continue;
    const m = /^([A-Za-z0-9_-]+)\s*=\s*["']([^"']*)["']/.exec(trimmed);
    if (m?.[1] === 'binding' && m[2] === binding) matches = true;
    if (m?.[1] === key) keyLine = i;
  }
  return false;
}

// --- 1. D1 ----------------------------------------------------------------------------------------------

const databases = loggedIn ? parseJsonOutput(query(['d1', 'list', '--json'])) : [];
for (const db of config.d1_databases ?? []) {
  const name = db.database_name;
  if (!name) fail(`d1_databases ${db.binding} has no database_name in wrangler.toml`);
  let id = databases.find((d) => d?.name === name)?.uuid;
  if (id) {
    console.log(`D1 database ${name}: exists (${id}).`);
  } else {
    const out = change(['d1', 'create', name]);
    if (dryRun) continue;
    id = /database_id\W+([0-9a-f-]{36})/i.exec(out)?.[1];
    id ??= parseJsonOutput(query(['d1', 'list', '--json'])).find((d) => d?.name === name)?.uuid;
    if (!id) fail(`created D1 database ${name} but found no id for it`);
    console.log(`D1 database ${name}: created (${id}).`);
  }
  if (db.database_id !== id) {
    if (!setTomlId('d1_databases', db.binding, 'database_id', id)) {
      fail(`cannot find the database_id line of d1_databases ${db.binding} in wrangler.toml`);
    }
  }
}

// --- 2. Queues ------------------------------------------------------------------------------------------

const queueNames = new Set();
for (const producer of config.queues?.producers ?? []) queueNames.add(producer.queue);
for (const consumer of config.queues?.consumers ?? []) {
  queueNames.add(consumer.queue);
  if (consumer.dead_letter_queue) queueNames.add(consumer.dead_letter_queue);
}
if (queueNames.size > 0) {
  // A table (no JSON option): a queue exists when its name is a whole cell.
  const listed = loggedIn ? query(['queues', 'list']) : '';
  const cells = new Set(listed.split(/[\s│|┃]+/).filter(Boolean));
  for (const name of queueNames) {
    if (cells.has(name)) console.log(`Queue ${name}: exists.`);
    else {
      change(['queues', 'create', name]);
      if (!dryRun) console.log(`Queue ${name}: created.`);
    }
  }
}

// --- 3. KV namespace of the KV rate limiter --------------------------------------------------------------

const backend = String(config.vars?.OAUTH2_RATE_LIMIT_BACKEND ?? '')
  .trim()
  .toLowerCase();
const kvEntry = (config.kv_namespaces ?? []).find((kv) => kv.binding === KV_BINDING);
if (backend === 'kv' || kvEntry) {
  const title = `${config.name ?? 'worker'}-rate-limit`;
  const namespaces = loggedIn ? parseJsonOutput(query(['kv', 'namespace', 'list'])) : [];
  const existing =
    (kvEntry && !isPlaceholderId(kvEntry.id) && namespaces.find((ns) => ns?.id === kvEntry.id)) ||
    namespaces.find((ns) => ns?.title === title);
  let id = existing?.id;
  if (id) {
    console.log(`KV namespace ${existing.title}: exists (${id}).`);
  } else {
    const out = change(['kv', 'namespace', 'create', title]);
    if (!dryRun) {
      id = /\bid\W+([0-9a-f]{32})/i.exec(out)?.[1];
      id ??= parseJsonOutput(query(['kv', 'namespace', 'list'])).find((ns) => ns?.title === title)?.id;
      if (!id) fail(`created KV namespace ${title} but found no id for it`);
      console.log(`KV namespace ${title}: created (${id}).`);
    }
  }
  if (id && kvEntry?.id !== id) {
    if (!kvEntry) {
      toml = `${toml.replace(/\n*$/, '\n')}
# The KV rate limiter (OAUTH2_RATE_LIMIT_BACKEND=kv); the id was written by \`npm run setup:cloudflare\`.
[[kv_namespaces]]
binding = "${KV_BINDING}"
id = "${id}"
`;
      tomlChanged = true;
    } else if (!setTomlId('kv_namespaces', KV_BINDING, 'id', id)) {
      fail(`cannot find the id line of kv_namespaces ${KV_BINDING} in wrangler.toml`);
    }
  }
}

if (tomlChanged) {
  writeFileSync(tomlPath, toml);
  console.log('wrangler.toml: resource ids written.');
} else if (!dryRun) {
  console.log('wrangler.toml: ids up to date.');
}

// --- 4. Secrets -----------------------------------------------------------------------------------------

const existingSecrets = new Set(loggedIn ? wranglerSecretNamesOrFail() : []);
function wranglerSecretNamesOrFail() {
  try {
    return wranglerSecretNames({ cwd: dir });
  } catch (error) {
    fail(error?.message ?? String(error));
  }
}
const fresh = { ...generateSecrets(), OAUTH2_METRICS_TOKEN: randomSecret() };
/** The values put by this run (the only ones that can be shown). */
const generated = {};
for (const name of SETUP_SECRETS) {
  if (existingSecrets.has(name)) {
    console.log(`Secret ${name}: exists, kept.`);
    continue;
  }
  change(['secret', 'put', name], { input: fresh[name], note: '   (generated value on stdin)' });
  if (!dryRun) generated[name] = fresh[name];
}

// --- 5. Remote D1 migrations ----------------------------------------------------------------------------

for (const db of config.d1_databases ?? []) {
  const out = change(['d1', 'migrations', 'apply', db.binding, '--remote']);
  if (!dryRun) {
    const applied = new Set(Array.from(out.matchAll(/│\s*(\S+\.sql)\s*│\s*✅/g), (m) => m[1])).size;
    console.log(
      `D1 migrations (remote, ${db.binding}): ${applied > 0 ? `applied ${applied}` : 'up to date'}.`,
    );
  }
}

if (dryRun) {
  console.log('dry run: nothing was changed.');
  process.exit(0);
}

// --- 6. Credentials, last ---------------------------------------------------------------------------------

const gitignorePath = path.join(dir, '.gitignore');
const gitignore = existsSync(gitignorePath) ? readFileSync(gitignorePath, 'utf8') : '';
if (!gitignore.split(/\r?\n/).some((line) => line.trim().replace(/^\//, '') === CREDENTIALS_FILE)) {
  writeFileSync(gitignorePath, `${gitignore.replace(/\n*$/, gitignore ? '\n' : '')}${CREDENTIALS_FILE}\n`);
}

const clientId = String(config.vars?.OAUTH2_ADMIN_CLIENT_ID ?? 'admin-client');
const username = String(config.vars?.OAUTH2_SEED_USERNAME ?? 'admin');
const credentialsPath = path.join(dir, CREDENTIALS_FILE);
const shown = (name) =>
  generated[name] ??
  `(set before this run: not shown, wrangler cannot read it back${existsSync(credentialsPath) ? `; see ${CREDENTIALS_FILE}` : ''})`;

if (Object.keys(generated).length > 0) {
  // Earlier values stay unless this run put a new one.
  const saved = existsSync(credentialsPath) ? parseDotenv(readFileSync(credentialsPath, 'utf8')) : {};
  const values = {
    ...saved,
    OAUTH2_ADMIN_CLIENT_ID: clientId,
    OAUTH2_SEED_USERNAME: username,
    ...Object.fromEntries(
      ['OAUTH2_ADMIN_CLIENT_SECRET', 'OAUTH2_SEED_PASSWORD', 'OAUTH2_METRICS_TOKEN']
        .filter((name) => generated[name])
        .map((name) => [name, generated[name]]),
    ),
  };
  const text = [
    `# Production credentials of ${config.name ?? 'the Worker'}, written by \`npm run setup:cloudflare\` on ${new Date().toISOString()}.`,
    '# Git-ignored, readable by its owner only. Store them in a password manager, then delete this file.',
    ...Object.entries(values).map(([name, value]) => `${name}=${value}`),
    '',
  ].join('\n');
  writeFileSync(credentialsPath, text, { mode: 0o600 });
  chmodSync(credentialsPath, 0o600);
}

const rule = '─'.repeat(72);
console.log(
  [
    '',
    rule,
    Object.keys(generated).length > 0
      ? ` Production credentials, printed only this once; also saved to ${CREDENTIALS_FILE} (mode 0600, git-ignored).`
      : ' Every secret already existed: nothing was generated, so no secret can be shown.',
    '',
    ' Bootstrap admin client (client_credentials, scope "admin"):',
    `   client_id:     ${clientId}`,
    `   client_secret: ${shown('OAUTH2_ADMIN_CLIENT_SECRET')}`,
    '',
    ' Seed admin user (sign in at /admin for the admin pages):',
    `   username:      ${username}`,
    `   password:      ${shown('OAUTH2_SEED_PASSWORD')}`,
    '',
    ' Metrics scraper (GET /metrics, Authorization: Bearer …):',
    `   token:         ${shown('OAUTH2_METRICS_TOKEN')}`,
    rule,
    '',
    'Next: npm run check:config -- --production, then npm run deploy.',
  ].join('\n'),
);
