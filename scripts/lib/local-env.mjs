/**
 * Small helpers shared by the npm scripts: project paths, the child-process environment, a dotenv parser
 * (the same rules wrangler uses for .dev.vars) and a tiny reader for wrangler.toml's top-level [vars] table.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WRANGLER = path.join(ROOT, 'node_modules', '.bin', 'wrangler');
export const DEV_VARS = path.join(ROOT, '.dev.vars');
export const WRANGLER_TOML = path.join(ROOT, 'wrangler.toml');

/** The secrets a deployment supplies with `wrangler secret put` and local runs with .dev.vars. */
export const SECRET_NAMES = [
  'OAUTH2_SESSION_KEY',
  'OAUTH2_KEY_ENCRYPTION_KEY',
  'OAUTH2_ADMIN_CLIENT_SECRET',
  'OAUTH2_SEED_PASSWORD',
];

/** Environment for wrangler / vitest children: no network look-ups, no telemetry. */
export function childEnv(extra = {}) {
  return {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    ...extra,
  };
}

/** Fails with a helpful message when dependencies are not installed. */
export function requireInstalled() {
  if (!existsSync(WRANGLER)) {
    console.error('node_modules/.bin/wrangler is missing: run `npm install` (or `npm ci`) first.');
    process.exit(1);
  }
}

// The dotenv 16 parser, as bundled in wrangler for .dev.vars (no variable expansion).
const LINE =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

/** Parses dotenv text into a plain object. */
export function parseDotenv(text) {
  const out = {};
  const lines = String(text).replace(/\r\n?/gm, '\n');
  for (const match of lines.matchAll(LINE)) {
    const key = match[1];
    let value = (match[2] || '').trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    out[key] = value;
  }
  return out;
}

/** Reads and parses a dotenv file; undefined when it does not exist. */
export function readDotenvFile(file) {
  if (!existsSync(file)) return undefined;
  return parseDotenv(readFileSync(file, 'utf8'));
}

function unescapeBasic(body) {
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[btnfr"\\])/g, (_, esc) => {
    if (esc[0] === 'u' || esc[0] === 'U') return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
    return { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' }[esc];
  });
}

/** Parses one single-line TOML value: basic or literal string, number or boolean. */
function tomlValue(raw) {
  const text = raw.trim();
  let m = /^"((?:[^"\\]|\\.)*)"\s*(?:#.*)?$/.exec(text);
  if (m) return unescapeBasic(m[1] ?? '');
  m = /^'([^']*)'\s*(?:#.*)?$/.exec(text);
  if (m) return m[1];
  m = /^([^#]*?)\s*(?:#.*)?$/.exec(text);
  const bare = m ? m[1] : text;
  if (bare === 'true' || bare === 'false') return bare === 'true';
  if (/^[+-]?\d[\d_]*(\.\d+)?([eE][+-]?\d+)?$/.test(bare ?? '')) return Number(bare?.replaceAll('_', ''));
  return undefined;
}

/**
 * The top-level [vars] table of wrangler.toml: single-line `KEY = value` entries only (enough for this
 * project's file). Entries this reader does not understand are left out.
 */
export function readWranglerVars(file = WRANGLER_TOML) {
  const vars = {};
  let inVars = false;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('[')) {
      inVars = /^\[\s*vars\s*\]\s*(#.*)?$/.test(trimmed);
      continue;
    }
    if (!inVars) continue;
    const m = /^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(trimmed);
    if (!m?.[1] || m[2] === undefined) continue;
    const key = m[1].startsWith('"') ? unescapeBasic(m[1].slice(1, -1)) : m[1].replace(/^'|'$/g, '');
    const value = tomlValue(m[2]);
    if (value !== undefined) vars[key] = value;
  }
  return vars;
}

/** The migrations_dir of the first [[d1_databases]] entry (wrangler's default is "migrations"). */
export function readMigrationsDir(file = WRANGLER_TOML) {
  const m = /^\s*migrations_dir\s*=\s*"([^"]+)"/m.exec(readFileSync(file, 'utf8'));
  return path.resolve(ROOT, m?.[1] ?? 'migrations');
}
