/**
 * `npm start` refuses bad configuration before it starts anything: the real scripts/start.mjs runs in a
 * throwaway copy of the project (node_modules symlinked) with a .dev.vars holding a short session key and a
 * misspelled setting. It must exit 1 naming the setting (never its value), print the same problem as
 * `npm run check:config`, warn about the misspelling with the nearest known name, and start no wrangler dev.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..');
/** What the configuration check needs: the scripts, the schema's sources and wrangler.toml. */
const COPIED = ['scripts', 'src', 'wrangler.toml', 'package.json'];
const SHORT_KEY = 'short-session-key-7Qx';
const STRONG = (tag: string) => `${tag}-${'k3Yq9vZ2'.repeat(5)}`;

let dir: string;

/** Runs a script of the copy with no OAUTH2_* from this process's environment. */
function runScript(script: string, args: string[] = []) {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('OAUTH2_') && !name.startsWith('VITEST')) env[name] = value;
  }
  const result = spawnSync(process.execPath, [path.join(dir, 'scripts', script), ...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 45_000,
    env: { ...env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'start-config-'));
  for (const name of COPIED) cpSync(path.join(REPO, name), path.join(dir, name), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(
    path.join(dir, '.dev.vars'),
    [
      `OAUTH2_SESSION_KEY=${SHORT_KEY}`,
      `OAUTH2_KEY_ENCRYPTION_KEY=${STRONG('kek')}`,
      `OAUTH2_ADMIN_CLIENT_SECRET=${STRONG('admin')}`,
      `OAUTH2_SEED_PASSWORD=${STRONG('seed')}`,
      'OAUTH2_ACESS_TOKEN_TTL_SECS=60',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm start validates the configuration before starting wrangler', () => {
  let start: { status: number | null; output: string };
  beforeAll(() => {
    start = runScript('start.mjs', ['--port', '1']);
  }, 60_000);

  it('exits 1 naming OAUTH2_SESSION_KEY, never printing its value, with nothing started', () => {
    expect(start.status, start.output).toBe(1);
    expect(start.output).toContain('OAUTH2_SESSION_KEY is a default or too short');
    expect(start.output).not.toContain(SHORT_KEY);
    expect(start.output).not.toMatch(/D1 migrations|Ready on/);
    expect(existsSync(path.join(dir, '.wrangler', 'state'))).toBe(false);
  });

  it('warns about a misspelled setting with the nearest known name', () => {
    expect(start.output).toMatch(
      /warning: OAUTH2_ACESS_TOKEN_TTL_SECS \(in \.dev\.vars\) is not a known setting: did you mean OAUTH2_ACCESS_TOKEN_TTL_SECS\?/,
    );
  });

  it('prints the problem check:config prints for the same .dev.vars', () => {
    const check = runScript('check-config.mjs');
    expect(check.status, check.output).toBe(1);
    expect(check.output).toContain('OAUTH2_SESSION_KEY is a default or too short');
    expect(check.output).toContain('did you mean OAUTH2_ACCESS_TOKEN_TTL_SECS?');
    expect(check.output).not.toContain(SHORT_KEY);
  }, 60_000);
});
