/**
 * `npm run setup:cloudflare` against a recording stand-in `wrangler` (Cloudflare's API cannot be reached
 * here): a small node script first on PATH that appends its argv and stdin to a log, keeps what was
 * "created" in a state file and prints what wrangler 4 prints (JSON for `d1 list --json`, `kv namespace list`
 * and `secret list`, a table for `queues list`, the config snippet of the create commands). The real script
 * runs in a throwaway copy of the project (node_modules symlinked) whose wrangler.toml chooses the KV rate
 * limiter. Checked: the commands, the ids written into wrangler.toml, that no secret value reaches any output
 * but the final box (and never argv), the 0600 credentials file, that a second run creates and puts nothing,
 * that --dry-run changes nothing, and that `check:config --production` accepts the result.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const COPIED = ['scripts', 'src', 'migrations', 'wrangler.toml', 'package.json', '.gitignore'];
const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
const SECRETS = [
  'OAUTH2_SESSION_KEY',
  'OAUTH2_KEY_ENCRYPTION_KEY',
  'OAUTH2_ADMIN_CLIENT_SECRET',
  'OAUTH2_SEED_PASSWORD',
  'OAUTH2_METRICS_TOKEN',
];
const RULE = '─'.repeat(72);

const STAND_IN = String.raw`#!/usr/bin/env node
const fs = require('node:fs');
const crypto = require('node:crypto');
const args = process.argv.slice(2);
const stateFile = process.env.STANDIN_STATE;
const state = fs.existsSync(stateFile)
  ? JSON.parse(fs.readFileSync(stateFile, 'utf8'))
  : { d1: [], queues: [], kv: [], secrets: [], migrated: false };
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify({ argv: args, stdin }) + '\n');
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
const cmd = args.join(' ');
const out = (text) => process.stdout.write(text + '\n');
if (args[0] === 'whoami') {
  if (process.env.STANDIN_LOGGED_OUT) { out(JSON.stringify({ loggedIn: false })); process.exit(1); }
  out(JSON.stringify({ loggedIn: true, authType: 'OAuth Token', email: 'ops@example.com', accounts: [] }));
} else if (cmd.startsWith('d1 list')) {
  out(JSON.stringify(state.d1.map((d) => ({ uuid: d.uuid, name: d.name, created_at: '2026-01-01', version: 'production' })), null, 2));
} else if (cmd.startsWith('d1 create')) {
  const db = { uuid: crypto.randomUUID(), name: args[2] };
  state.d1.push(db); save();
  out("✅ Successfully created DB '" + db.name + "' in region WEUR\nCreated your new D1 database.\n");
  out('To access your new D1 Database in your Worker, add the following snippet to your configuration file:');
  out('[[d1_databases]]\nbinding = "' + db.name + '"\ndatabase_name = "' + db.name + '"\ndatabase_id = "' + db.uuid + '"');
} else if (cmd.startsWith('queues list')) {
  out('┌──────────────────────────────────┬──────────────────┐');
  out('│ id                               │ name             │');
  out('├──────────────────────────────────┼──────────────────┤');
  for (const q of state.queues) out('│ ' + q.id + ' │ ' + q.name + ' │');
  out('└──────────────────────────────────┴──────────────────┘');
} else if (cmd.startsWith('queues create')) {
  state.queues.push({ id: crypto.randomBytes(16).toString('hex'), name: args[2] }); save();
  out("🌀 Creating queue '" + args[2] + "'\n✅ Created queue '" + args[2] + "'");
} else if (cmd.startsWith('kv namespace list')) {
  out(JSON.stringify(state.kv, null, 2));
} else if (cmd.startsWith('kv namespace create')) {
  const ns = { id: crypto.randomBytes(16).toString('hex'), title: args[3] };
  state.kv.push(ns); save();
  out('🌀 Creating namespace with title "' + ns.title + '"\n✨ Success!');
  out('[[kv_namespaces]]\nbinding = "' + ns.title.replace(/-/g, '_') + '"\nid = "' + ns.id + '"');
} else if (cmd.startsWith('secret list')) {
  if (state.secrets.length === 0) {
    process.stderr.write('✘ [ERROR] Worker "edge-oauth2-server" not found.\n');
    process.exit(1);
  }
  out(JSON.stringify(state.secrets.map((name) => ({ name, type: 'secret_text' })), null, 2));
} else if (cmd.startsWith('secret put')) {
  if (!stdin) { process.stderr.write('no value\n'); process.exit(1); }
  if (!state.secrets.includes(args[2])) state.secrets.push(args[2]);
  save();
  out('🌀 Creating the secret for the Worker "edge-oauth2-server"\n✨ Success! Uploaded secret ' + args[2]);
} else if (cmd.startsWith('d1 migrations apply')) {
  if (state.migrated) out('✅ No migrations to apply!');
  else {
    state.migrated = true; save();
    out('│ 0001_init.sql │ ✅ │\n│ 0002_more.sql │ ✅ │');
  }
} else {
  process.stderr.write('stand-in wrangler: unexpected ' + args.join(' ') + '\n');
  process.exit(3);
}
`;

let dir: string;
/** The stand-in's own temporary directory (outside the copy, whose package.json says "type": "module"). */
let bin: string;
let logFile: string;
let stateFile: string;

type Entry = { argv: string[]; stdin: string };
const readLog = (): Entry[] =>
  existsSync(logFile)
    ? readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Entry)
    : [];

function run(script: string, args: string[] = [], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('OAUTH2_') && !name.startsWith('VITEST') && !name.startsWith('CLOUDFLARE_')) {
      env[name] = value;
    }
  }
  rmSync(logFile, { force: true });
  const result = spawnSync(process.execPath, [path.join(dir, 'scripts', script), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...env,
      ...extraEnv,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      STANDIN_LOG: logFile,
      STANDIN_STATE: stateFile,
      WRANGLER_SEND_METRICS: 'false',
      NO_COLOR: '1',
    },
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', log: readLog() };
}

const mutating = (log: Entry[]) =>
  log
    .map((e) => e.argv.join(' '))
    .filter((c) => /^(d1 create|queues create|kv namespace create|secret put|d1 migrations apply)/.test(c));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'setup-cloudflare-'));
  for (const name of COPIED) cpSync(path.join(REPO, name), path.join(dir, name), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // Choose the KV rate limiter, so that the namespace is created and its entry appended.
  const toml = readFileSync(path.join(dir, 'wrangler.toml'), 'utf8');
  writeFileSync(
    path.join(dir, 'wrangler.toml'),
    toml.replace('[vars]\n', '[vars]\nOAUTH2_RATE_LIMIT_BACKEND = "kv"\n'),
  );
  bin = mkdtempSync(path.join(tmpdir(), 'wrangler-stand-in-'));
  writeFileSync(path.join(bin, 'wrangler'), STAND_IN);
  chmodSync(path.join(bin, 'wrangler'), 0o755);
  logFile = path.join(bin, 'argv-and-stdin.log');
  stateFile = path.join(bin, 'state.json');
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (bin) rmSync(bin, { recursive: true, force: true });
});

describe('npm run setup:cloudflare', { timeout: 30_000 }, () => {
  let firstStdout = '';

  it('--dry-run prints the commands and changes nothing', () => {
    const toml = readFileSync(path.join(dir, 'wrangler.toml'), 'utf8');
    const gitignore = readFileSync(path.join(dir, '.gitignore'), 'utf8');
    const { status, stdout, stderr, log } = run('setup-cloudflare.mjs', ['--dry-run']);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(mutating(log)).toEqual([]);
    for (const command of [
      'would run: wrangler d1 create oauth2',
      'would run: wrangler queues create oauth2-events',
      'would run: wrangler queues create oauth2-events-dlq',
      'would run: wrangler kv namespace create edge-oauth2-server-rate-limit',
      'would run: wrangler secret put OAUTH2_SESSION_KEY',
      'would run: wrangler d1 migrations apply DB --remote',
    ]) {
      expect(stdout).toContain(command);
    }
    expect(readFileSync(path.join(dir, 'wrangler.toml'), 'utf8')).toBe(toml);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8')).toBe(gitignore);
    expect(existsSync(path.join(dir, '.cloudflare-credentials'))).toBe(false);
  });

  it('fails clearly when wrangler is not logged in', () => {
    const { status, stderr, log } = run('setup-cloudflare.mjs', [], { STANDIN_LOGGED_OUT: '1' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/not logged in.*wrangler login/);
    expect(mutating(log)).toEqual([]);
  });

  it('creates the resources, writes their ids, puts every secret and shows them only in the box', () => {
    const before = readFileSync(path.join(dir, 'wrangler.toml'), 'utf8');
    const { status, stdout, stderr, log } = run('setup-cloudflare.mjs');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    firstStdout = stdout;
    expect(mutating(log)).toEqual([
      'd1 create oauth2',
      'queues create oauth2-events',
      'queues create oauth2-events-dlq',
      'kv namespace create edge-oauth2-server-rate-limit',
      ...SECRETS.map((name) => `secret put ${name}`),
      'd1 migrations apply DB --remote',
    ]);

    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    const toml = readFileSync(path.join(dir, 'wrangler.toml'), 'utf8');
    expect(toml).toContain(`database_id = "${state.d1[0].uuid}"`);
    expect(toml).not.toContain(PLACEHOLDER);
    expect(toml).toMatch(
      new RegExp(`\\[\\[kv_namespaces\\]\\]\\nbinding = "RATE_LIMIT_KV"\\nid = "${state.kv[0].id}"`),
    );
    // Only the id line changed; comments and everything else are kept.
    const changed = before.split('\n').filter((line) => !toml.split('\n').includes(line));
    expect(changed).toEqual([`database_id = "${PLACEHOLDER}"`]);

    const values: Record<string, string> = Object.fromEntries(
      log.filter((e) => e.argv[0] === 'secret' && e.argv[1] === 'put').map((e) => [e.argv[2] ?? '', e.stdin]),
    );
    expect(Object.keys(values).sort()).toEqual([...SECRETS].sort());
    const argv = log.map((e) => e.argv.join(' ')).join('\n');
    const rules = stdout.split('\n').flatMap((line, i) => (line === RULE ? [i] : []));
    expect(rules).toHaveLength(2);
    const lines = stdout.split('\n');
    const box = lines.slice(rules[0], (rules[1] ?? 0) + 1).join('\n');
    const outsideBox = [...lines.slice(0, rules[0]), ...lines.slice((rules[1] ?? 0) + 1)].join('\n');
    for (const [name, value] of Object.entries(values)) {
      expect(value.length, name).toBeGreaterThanOrEqual(20);
      expect(argv).not.toContain(value);
      expect(stderr).not.toContain(value);
      expect(outsideBox).not.toContain(value);
    }
    // The box is last and holds the credentials an operator needs (not the keys).
    expect(lines.slice((rules[1] ?? 0) + 1).join('\n')).not.toMatch(/running:/);
    expect(box).toContain('client_id:     admin-client');
    expect(box).toContain(`client_secret: ${values.OAUTH2_ADMIN_CLIENT_SECRET}`);
    expect(box).toContain('username:      admin');
    expect(box).toContain(`password:      ${values.OAUTH2_SEED_PASSWORD}`);
    expect(box).toContain(`token:         ${values.OAUTH2_METRICS_TOKEN}`);
    expect(box).not.toContain(values.OAUTH2_SESSION_KEY);
    expect(box).not.toContain(values.OAUTH2_KEY_ENCRYPTION_KEY);

    const credentials = path.join(dir, '.cloudflare-credentials');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    const saved = readFileSync(credentials, 'utf8');
    expect(saved).toContain(`OAUTH2_ADMIN_CLIENT_SECRET=${values.OAUTH2_ADMIN_CLIENT_SECRET}`);
    expect(saved).toContain(`OAUTH2_SEED_PASSWORD=${values.OAUTH2_SEED_PASSWORD}`);
    expect(readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n')).toContain(
      '.cloudflare-credentials',
    );
  });

  it('a second run creates nothing and keeps the secrets', () => {
    const toml = readFileSync(path.join(dir, 'wrangler.toml'), 'utf8');
    const credentials = readFileSync(path.join(dir, '.cloudflare-credentials'), 'utf8');
    const { status, stdout, stderr, log } = run('setup-cloudflare.mjs');
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(mutating(log)).toEqual(['d1 migrations apply DB --remote']);
    expect(stdout).toContain('D1 migrations (remote, DB): up to date.');
    expect(stdout).toMatch(/client_secret: \(set before this run: not shown/);
    expect(readFileSync(path.join(dir, 'wrangler.toml'), 'utf8')).toBe(toml);
    expect(readFileSync(path.join(dir, '.cloudflare-credentials'), 'utf8')).toBe(credentials);
    expect(firstStdout).not.toBe('');
  });

  it('check:config --production accepts the result', () => {
    const { status, stdout, stderr } = run('check-config.mjs', ['--production']);
    expect(`${stdout}${stderr}`).not.toMatch(/OAUTH2_SESSION_KEY is not set|placeholder/);
    expect(stdout).toContain('config ok');
    expect(status).toBe(0);
  });

  it('check:config --production names the secrets it could not verify when wrangler is not logged in', () => {
    const { status, stdout, stderr } = run('check-config.mjs', ['--production'], { STANDIN_LOGGED_OUT: '1' });
    expect(stderr).toMatch(
      /warning: could not verify the secrets OAUTH2_SESSION_KEY, .*wrangler is not logged in/,
    );
    expect(stdout).toContain('config ok');
    expect(status).toBe(0);
  });

  it('check:config --production fails on a missing required secret', () => {
    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    state.secrets = state.secrets.filter((name: string) => name !== 'OAUTH2_SESSION_KEY');
    writeFileSync(stateFile, JSON.stringify(state));
    const { status, stdout } = run('check-config.mjs', ['--production']);
    expect(stdout).toContain(
      'OAUTH2_SESSION_KEY is not set: supply it with `wrangler secret put OAUTH2_SESSION_KEY`',
    );
    expect(status).toBe(1);
  });
});
