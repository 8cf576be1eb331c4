#!/usr/bin/env node
/**
 * `node bench/actor-capacity.mjs [--quick] [--ops N] [--callers 1,4,16] [--reps R] [--out DIR]`
 *
 * The sequential capacity of one TokenActor Durable Object: operations per second of refresh rotation,
 * introspection (opaque: `findAccessToken`; JWT: `isRevoked`) and revocation, all on one object, driven by
 * one caller at a time (each call awaits the previous) and by N concurrent callers (which the object
 * serialises: its RPC methods run their SQL without awaiting, so throughput stays that of one caller while
 * each caller's wait grows with N).
 *
 * What runs: the real class, `durable-objects/token-actor.ts` as it is on disk, bundled with esbuild, under
 * the Miniflare API with the compatibility date and flags of wrangler.toml and SQLite-backed in-memory
 * storage (as `lib/server.mjs` serves the Worker). A small driver Worker in the same workerd process calls
 * the object over Durable Object RPC (what the Worker's `tokens` port does, worker/wiring/services.ts) in a loop:
 * the figures are the object's work plus one RPC hop per call, without HTTP, client authentication,
 * hashing or token signing (bench/run.mjs measures whole requests). Before each measured batch its fixtures
 * are made in a separate call (grants with a refresh family and an opaque access token each), then the
 * workerd process is left to go idle.
 *
 * Figures per (operation, callers): ops/s = operations / wall time of the batch seen from Node (median over
 * repetitions), mean time in the object's queue per call = callers / (ops/s) (Little's law), and workerd CPU
 * ms per operation (/proc utime+stime, as bench/run.mjs). A default run writes
 * bench/results/actor-capacity-<UTC stamp>.json and .md; --quick or changed parameters write to
 * $TMPDIR/edge-oauth2-bench/ (or --out DIR).
 */
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { childPids, cpuMsOf, cpuResolutionMs } from './lib/cpu.mjs';
import { round, waitIdle } from './lib/load.mjs';
import { bindingsFromWranglerToml } from './lib/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const OPERATIONS = ['rotate', 'introspect_opaque', 'introspect_jwt', 'revoke'];
const DEFAULTS = { ops: 3000, callers: [1, 4, 16], reps: 3 };
const QUICK = { ops: 500, callers: [1, 8], reps: 1 };
/** Grants the rotation and introspection batches cycle over (ours: refresh_rotate's 100). */
const GRANTS = 100;
/** One shard prefix: every grant id of the run names the same object, `tokens-zz`. */
const SHARD = 'zz';

/**
 * The driver Worker. POST /setup {op, n} makes the fixtures of a batch; POST /run {op, n, callers} runs it:
 * `callers` loops, each awaiting its previous call, together `n` calls to the one object. Answers
 * `{ ok, bad }`; any unexpected result counts as bad (and the script fails).
 */
const DRIVER = `
import { TokenActor } from ${JSON.stringify(path.join(ROOT, 'durable-objects', 'token-actor.ts'))};
export { TokenActor };

const NAME = 'tokens-${SHARD}';
const now = () => Math.floor(Date.now() / 1000);
const hex = () => crypto.randomUUID().replaceAll('-', '');
const grantId = () => '${SHARD}' + hex().slice(0, 20);
const state = { grants: [] };

async function makeGrants(actor, n) {
  const t = now();
  const grants = [];
  for (let i = 0; i < n; i += 1) {
    const id = grantId();
    const refresh = hex();
    const access = hex();
    const family = { clientId: 'bench-client', userId: 'bench-user', scope: 'openid profile email offline_access',
      authTime: t, sid: hex(), expiresAt: t + 30 * 86400 };
    if (!(await actor.startFamily(id, family, { hash: refresh, accessTokenExpiresAt: t + 3600 }, t)))
      throw new Error('startFamily refused');
    const stored = await actor.storeAccessToken(id, { hash: access, jti: id + '.x', clientId: 'bench-client',
      sub: 'bench-user', scope: 'openid profile email offline_access', aud: ['bench-client'], issuedAt: t,
      expiresAt: t + 3600 });
    if (!stored) throw new Error('storeAccessToken refused');
    grants.push({ id, refresh, access });
  }
  return grants;
}

const calls = {
  async rotate(actor, g) {
    const successor = hex();
    const r = await actor.rotateRefreshToken(g.id, { hash: g.refresh, successorHash: successor,
      clientId: 'bench-client', scope: [], reuseIntervalSecs: 0, accessTokenExpiresAt: now() + 3600 }, now());
    if (r.status !== 'rotated' || r.retried) return false;
    g.refresh = successor;
    return true;
  },
  async introspect_opaque(actor, g) {
    return (await actor.findAccessToken(g.id, g.access, now())) !== null;
  },
  async introspect_jwt(actor, g) {
    return (await actor.isRevoked(g.id)) === false;
  },
  async revoke(actor, g) {
    await actor.revoke(g.id, now() + 3600);
    return true;
  },
};

export default {
  async fetch(request, env) {
    const actor = env.TOKEN_ACTOR.get(env.TOKEN_ACTOR.idFromName(NAME));
    const url = new URL(request.url);
    const body = await request.json();
    if (url.pathname === '/setup') {
      // revoke uses up one grant per call; the others cycle over a fixed set.
      state.grants = await makeGrants(actor, body.op === 'revoke' ? body.n : body.grants);
      return Response.json({ grants: state.grants.length });
    }
    if (url.pathname === '/run') {
      const call = calls[body.op];
      const grants = state.grants;
      let next = 0;
      let ok = 0;
      let bad = 0;
      // Caller c owns the grants whose index is c (mod callers), so no grant has two calls in flight.
      const caller = async (c) => {
        const own = grants.filter((_, i) => i % body.callers === c);
        let k = 0;
        while (next < body.n) {
          next += 1;
          const g = body.op === 'revoke' ? grants[next - 1] : own[k++ % own.length];
          if (await call(actor, g)) ok += 1;
          else bad += 1;
        }
      };
      await Promise.all(Array.from({ length: body.callers }, (_, c) => caller(c)));
      return Response.json({ ok, bad });
    }
    return new Response('not found', { status: 404 });
  },
};
`;

function parseArgs(argv) {
  const opts = { out: null, quick: false };
  const set = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = () => {
      i += 1;
      if (argv[i] === undefined) usage(`${arg} needs a value`);
      return argv[i];
    };
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--out') opts.out = path.resolve(value());
    else if (arg === '--ops' || arg === '--reps') {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) usage(`${arg} needs a positive integer`);
      set[arg.slice(2)] = n;
    } else if (arg === '--callers') {
      const list = value().split(',').map(Number);
      if (list.some((n) => !Number.isInteger(n) || n <= 0)) usage('--callers needs positive integers');
      set.callers = list;
    } else usage(arg === '-h' || arg === '--help' ? undefined : `unknown argument ${arg}`);
  }
  if (set.callers && Math.max(...set.callers) > GRANTS) usage(`at most ${GRANTS} callers`);
  return {
    ...opts,
    ...DEFAULTS,
    ...(opts.quick ? QUICK : {}),
    ...set,
    customised: Object.keys(set).length > 0,
  };
}

function usage(message) {
  if (message) console.error(`actor-capacity: ${message}`);
  console.error(
    'usage: node bench/actor-capacity.mjs [--quick] [--ops N] [--callers 1,4,16] [--reps R] [--out DIR]',
  );
  process.exit(2);
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** esbuild as wrangler (a devDependency) pins it: the bundler `npm run build` uses. */
async function esbuild() {
  const require = createRequire(import.meta.url);
  const fromWrangler = createRequire(require.resolve('wrangler/package.json'));
  return import(fromWrangler.resolve('esbuild'));
}

async function bundleDriver() {
  const { build } = await esbuild();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'edge-oauth2-actor-'));
  const entry = path.join(dir, 'driver.js');
  await writeFile(entry, DRIVER);
  await build({
    entryPoints: [entry],
    outfile: path.join(dir, 'index.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'warning',
  });
  return { dir, scriptPath: path.join(dir, 'index.js') };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const loadAverageAtStart = os.loadavg().map((n) => round(n, 2));
  if (loadAverageAtStart[0] > 0.5) {
    console.warn(
      `actor-capacity: warning: 1-minute load average is ${loadAverageAtStart[0]}: figures are skewed`,
    );
  }
  const [{ dir, scriptPath }, toml] = await Promise.all([bundleDriver(), bindingsFromWranglerToml()]);
  const before = new Set(childPids('workerd'));
  const mf = new Miniflare({
    host: '127.0.0.1',
    port: 0,
    modules: true,
    scriptPath,
    modulesRoot: dir,
    compatibilityDate: toml.compatibilityDate,
    compatibilityFlags: toml.compatibilityFlags,
    durableObjects: { TOKEN_ACTOR: { className: 'TokenActor', useSQLite: true } },
    handleRuntimeStdio: (stdout, stderr) => {
      stdout.resume();
      stderr.pipe(process.stderr);
    },
  });
  const rows = [];
  try {
    const url = await mf.ready;
    const pids = childPids('workerd').filter((pid) => !before.has(pid));
    if (pids.length === 0)
      console.warn('actor-capacity: warning: no workerd process found: CPU not measured');
    const call = async (pathname, body) => {
      const res = await fetch(new URL(pathname, url), { method: 'POST', body: JSON.stringify(body) });
      const text = await res.text();
      if (res.status !== 200)
        throw new Error(`${pathname} ${JSON.stringify(body)}: ${res.status} ${text.slice(0, 500)}`);
      return JSON.parse(text);
    };
    console.log(
      `actor-capacity: one TokenActor, ${opts.ops} calls per batch, callers ${opts.callers.join(', ')}, ${opts.reps} rep(s)`,
    );
    // A warm object (the first call creates it and its tables) before anything is measured.
    await call('/setup', { op: 'rotate', grants: GRANTS });
    await call('/run', { op: 'introspect_jwt', n: 200, callers: 1 });
    for (const op of OPERATIONS) {
      for (const callers of opts.callers) {
        const runs = [];
        for (let rep = 0; rep < opts.reps; rep += 1) {
          await call('/setup', { op, n: opts.ops, grants: GRANTS });
          await waitIdle(pids, { minMs: 200 });
          const cpuStart = cpuMsOf(pids);
          const started = process.hrtime.bigint();
          const { ok, bad } = await call('/run', { op, n: opts.ops, callers });
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const cpuEnd = cpuMsOf(pids);
          if (bad > 0 || ok !== opts.ops)
            throw new Error(`${op} × ${callers}: ${bad} unexpected results of ${ok + bad}`);
          runs.push({
            opsPerSec: round(ok / seconds, 1),
            seconds: round(seconds, 3),
            cpuMsPerOp: cpuStart === null || cpuEnd === null ? null : round((cpuEnd - cpuStart) / ok, 4),
          });
        }
        const opsPerSec = median(runs.map((r) => r.opsPerSec));
        const cpus = runs.map((r) => r.cpuMsPerOp).filter((v) => v !== null);
        const row = {
          op,
          callers,
          opsPerSec: round(opsPerSec, 1),
          min: round(Math.min(...runs.map((r) => r.opsPerSec)), 1),
          max: round(Math.max(...runs.map((r) => r.opsPerSec)), 1),
          meanWaitMs: round((callers / opsPerSec) * 1000, 3),
          cpuMsPerOp: cpus.length ? round(median(cpus), 4) : null,
          runs,
        };
        rows.push(row);
        console.log(
          `  ${op.padEnd(18)} callers ${String(callers).padStart(3)}  ${row.opsPerSec.toFixed(1).padStart(9)} ops/s  ` +
            `mean wait ${row.meanWaitMs.toFixed(3).padStart(7)} ms  CPU ${row.cpuMsPerOp?.toFixed(4) ?? '–'} ms/op`,
        );
      }
    }
  } finally {
    await mf.dispose();
    await rm(dir, { recursive: true, force: true });
  }

  const date = new Date();
  const complete = !opts.quick && !opts.customised;
  const report = {
    format: 'edge-oauth2-bench/actor-capacity/1',
    environment: {
      date: date.toISOString(),
      node: process.version,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg().map((n) => round(n, 2)),
    },
    parameters: {
      quick: opts.quick,
      complete,
      opsPerBatch: opts.ops,
      callers: opts.callers,
      reps: opts.reps,
      grants: GRANTS,
      object: `tokens-${SHARD}`,
      what:
        'durable-objects/token-actor.ts bundled with esbuild, Miniflare API, SQLite in-memory storage; a driver ' +
        'Worker in the same workerd calls the one object over DO RPC; ops/s = calls / wall time of the batch ' +
        `from Node (median over reps); CPU = workerd utime+stime / calls (resolution ${cpuResolutionMs()} ms)`,
      operations: {
        rotate: 'rotateRefreshToken of the current token of one of 100 grants (a new successor each call)',
        introspect_opaque: 'findAccessToken of a stored opaque access token (opaque introspection)',
        introspect_jwt: 'isRevoked of a grant (the revocation check of a JWT introspection)',
        revoke: 'revoke of a fresh grant (with a refresh family and an opaque access token) per call',
      },
    },
    rows,
  };
  const dirOut = opts.out ?? (complete ? RESULTS_DIR : path.join(os.tmpdir(), 'edge-oauth2-bench'));
  await mkdir(dirOut, { recursive: true });
  const stamp = date.toISOString().slice(0, 16).replace(':', '-').concat('Z');
  const stem = path.join(dirOut, `actor-capacity-${stamp}${complete ? '' : '-partial'}`);
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report);
  writeFileSync(`${stem}.md`, md);
  console.log(`\n${md}`);
  console.log(
    `actor-capacity: wrote ${path.relative(ROOT, stem).startsWith('..') ? stem : path.relative(ROOT, stem)}.json and .md`,
  );
}

function markdown(report) {
  const { environment: env, parameters: p } = report;
  const header = ['operation', 'callers', 'ops/s median (min–max)', 'mean wait ms', 'workerd CPU ms/op'];
  const rows = report.rows.map((r) => [
    `\`${r.op}\``,
    String(r.callers),
    `${r.opsPerSec.toFixed(1)} (${r.min.toFixed(1)}–${r.max.toFixed(1)})`,
    r.meanWaitMs.toFixed(3),
    r.cpuMsPerOp === null ? '–' : r.cpuMsPerOp.toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [
    `# One TokenActor's capacity: ${env.date}${p.quick ? ' (quick: not for comparison)' : ''}`,
    '',
    `Node ${env.node} · ${env.cpuModel} × ${env.cores} · load average before ${env.loadAverageAtStart.join(' / ')}`,
    '',
    `${p.what}. ${p.opsPerBatch} calls per batch, ${p.reps} repetition(s). Mean wait = callers / ops/s: the time ` +
      'a call spends queued at and inside the object; with one object serialising every call, ops/s stays ' +
      'about flat as callers grow and the wait grows with them.',
    '',
    line(header),
    rule,
    ...rows.map(line),
    '',
    ...Object.entries(p.operations).map(([name, what]) => `- \`${name}\`: ${what}`),
    '',
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
