/**
 * Running the wrangler CLI from the npm scripts (`npm run setup:cloudflare`, `npm run check:config`):
 * which executable, whether it is logged in, and the names of a Worker's secrets. Output is captured, never
 * passed through, so that nothing a command prints (or a value given on stdin) reaches the terminal unasked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { childEnv, WRANGLER } from './local-env.mjs';

/**
 * The wrangler to run: the first `wrangler` on PATH (`npm run` puts the project's node_modules/.bin first),
 * else the project's own.
 */
export function wranglerExecutable(env = process.env) {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'wrangler'))) return path.join(dir, 'wrangler');
  }
  return WRANGLER;
}

/**
 * Runs `wrangler ...args` in `cwd` non-interactively (CI=true: no prompts) with `input` on stdin.
 * Resolves to `{ ok, status, stdout, stderr, output }`; never prints.
 */
export function runWrangler(args, { cwd, input } = {}) {
  const result = spawnSync(wranglerExecutable(), args, {
    cwd,
    input: input ?? '',
    env: childEnv({ CI: 'true', NO_COLOR: '1' }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? (result.error ? String(result.error.message) : '');
  return {
    ok: !result.error && result.status === 0,
    status: result.status,
    stdout,
    stderr,
    output: stdout + stderr,
  };
}

/** The first JSON value (object or array) in wrangler's output, which may follow a banner line. */
export function parseJsonOutput(text) {
  const start = text.search(/^\s*[[{]/m);
  if (start < 0) throw new Error('no JSON in the output');
  return JSON.parse(text.slice(start));
}

/** Whether wrangler is logged in (`wrangler whoami --json`; an API token in the environment counts). */
export function wranglerLoggedIn({ cwd } = {}) {
  const result = runWrangler(['whoami', '--json'], { cwd });
  if (!result.ok) return false;
  try {
    return parseJsonOutput(result.stdout).loggedIn === true;
  } catch {
    return false;
  }
}

/**
 * The names of the Worker's secrets (`wrangler secret list`, JSON). A Worker that does not exist yet has
 * none. Throws when wrangler fails otherwise.
 */
export function wranglerSecretNames({ cwd, env } = {}) {
  const result = runWrangler(['secret', 'list', '--format', 'json', ...(env ? ['--env', env] : [])], { cwd });
  if (!result.ok) {
    if (/not found|does not exist|10007/i.test(result.output)) return [];
    throw new Error(
      `\`wrangler secret list\` failed: ${result.output.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
  const list = parseJsonOutput(result.stdout);
  if (!Array.isArray(list)) throw new Error('`wrangler secret list` did not print a list');
  return list.map((entry) => String(entry?.name ?? '')).filter(Boolean);
}
