#!/usr/bin/env node
/**
 * `npm run bench [-- --quick] [--only a,b] [--no-peer] [--reps N] [--duration S] [--warmup S]
 *  [--connections C] [--var NAME=VALUE ...] [--out DIR] [--update-readme]`
 *
 * Serves the built Worker under the Miniflare API (bench/lib/server.mjs) twice (JWT and opaque access tokens)
 * and node-oidc-provider (bench/peer/oidc-provider.mjs) in its own Node process, all on 127.0.0.1, and drives
 * them with autocannon. Within a repetition every scenario runs once, ours then the peer's of the same name
 * back to back, the starting scenario rotating per repetition; each run follows a warm-up of the same
 * scenario. Scenarios, fixtures and checks: bench/lib/scenarios.mjs and bench/README.md.
 *
 * Every answer of every run (warm-ups included) must have the expected status and body, or the bench exits 1
 * and writes nothing. A complete default run writes bench/results/<date>.json and .md; quick, partial or
 * re-parameterised runs write to a temporary directory (or `--out DIR`). `--update-readme` then rewrites the
 * table of docs/performance.md and the summary in README.md (bench/readme-table.mjs).
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childPids, cpuResolutionMs } from './lib/cpu.mjs';
import { measure, round, waitIdle } from './lib/load.mjs';
import { markdown, summarize, table, targetLines, targetNeeds, targets } from './lib/report.mjs';
import { floorScenario, opaqueScenarios, ourScenarios, peerScenarios } from './lib/scenarios.mjs';
import { startFloorServer, startServer } from './lib/server.mjs';
import { es256SignatureCost } from './lib/sign-cost.mjs';
import { updateReadme } from './readme-table.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');

/** Table order; the peer's scenario of the same name runs right after ours. */
const ORDER = [
  'runtime_floor',
  'health',
  'discovery',
  'jwks',
  'cc_jwt',
  'introspect_jwt',
  'introspect_jwt_fresh',
  'cc_opaque',
  'introspect_opaque',
  'revoke',
  'refresh_spread',
  'refresh_concentrated',
  'refresh_rotate',
  'code_exchange',
  'userinfo',
  'login',
];
const OPAQUE_SERVER = new Set(['cc_opaque', 'introspect_opaque']);
/** Served by the emulator's bare Worker (lib/server.mjs startFloorServer), not by ours. */
const FLOOR_SERVER = new Set(['runtime_floor']);
const PEER = new Set([
  'health',
  'discovery',
  'jwks',
  'cc_jwt',
  'cc_opaque',
  'introspect_opaque',
  'refresh_rotate',
  'code_exchange',
  'userinfo',
]);
const DEFAULTS = { reps: 3, duration: 5, warmup: 1, connections: 10 };
const QUICK = { reps: 1, duration: 2, warmup: 1 };
/** Consuming scenarios: requests of the warm-up, and the bounds of a run's pool. */
const POOL = { warmup: 200, min: 200, max: 5000 };
const QUICK_POOL = { warmup: 100, min: 100, max: 1500 };

/**
 * Worker vars of the bench on top of the harness's (which raise every rate limit far above the load): a
 * refresh-token retry window, so the refresh scenarios can present a token again (see scenarios.mjs).
 */
const BENCH_VARS = { OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: '300' };
/**
 * The events queue's consumer waits at most 1 s for a batch (wrangler.toml: 5 s; batches of 100 fill within
 * that under load either way), so a run's drain, which counts the consumer's CPU for the run's events, is short.
 */
const QUEUE_CONSUMER = { maxBatchTimeout: 1 };
/** After a run: wait this long at least (ours: the batch timeout + margin), then until idle. */
const DRAIN = { ours: { minMs: 1300 }, peer: { minMs: 200 } };

function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error(
    'usage: npm run bench [-- --quick] [--only a,b] [--no-peer] [--reps N] [--duration S] [--warmup S]\n' +
      '                     [--connections C] [--var NAME=VALUE ...] [--out DIR] [--update-readme]\n' +
      `scenarios: ${ORDER.join(', ')} (a name selects ours and the peer's; ours/NAME or peer/NAME one side)`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { vars: {}, only: null, peer: true, out: null, updateReadme: false, quick: false };
  const numbers = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.includes('=') && arg.startsWith('--')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      i += 1;
      if (argv[i] === undefined) usage(`${flag} needs a value`);
      return argv[i];
    };
    switch (flag) {
      case '-h':
      case '--help':
        usage();
        break;
      case '--quick':
        opts.quick = true;
        break;
      case '--no-peer':
        opts.peer = false;
        break;
      case '--update-readme':
        opts.updateReadme = true;
        break;
      case '--out':
        opts.out = path.resolve(value());
        break;
      case '--only':
        opts.only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--var': {
        const pair = value();
        const eq = pair.indexOf('=');
        if (eq < 1) usage(`--var needs NAME=VALUE, got ${pair}`);
        opts.vars[pair.slice(0, eq)] = pair.slice(eq + 1);
        break;
      }
      case '--reps':
      case '--duration':
      case '--warmup':
      case '--connections': {
        const n = Number(value());
        if (
          !Number.isFinite(n) ||
          n <= 0 ||
          (flag !== '--duration' && flag !== '--warmup' && !Number.isInteger(n))
        ) {
          usage(`${flag} needs a positive number`);
        }
        numbers[flag.slice(2)] = n;
        break;
      }
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  Object.assign(opts, DEFAULTS, opts.quick ? QUICK : {}, numbers);
  opts.pool = opts.quick ? QUICK_POOL : POOL;
  opts.customised = Object.keys(numbers).length > 0 || Object.keys(opts.vars).length > 0;
  if (opts.only) {
    for (const item of opts.only) {
      const name = item.replace(/^(ours|peer)\//, '');
      if (!ORDER.includes(name)) usage(`unknown scenario ${item}`);
      if (item.startsWith('peer/') && !PEER.has(name)) usage(`the peer has no scenario ${name}`);
    }
    // A scenario selected by name (both sides) also runs what its targets compare it with (lib/report.mjs
    // targetNeeds: each side's floor, our bare route), so those targets are judged rather than skipped.
    const names = opts.only.filter((item) => !item.startsWith('ours/') && !item.startsWith('peer/'));
    const missing = [...new Set(names.flatMap(targetNeeds))].filter(
      (item) => (opts.peer || !item.startsWith('peer/')) && !selected(opts, ...item.split('/')),
    );
    if (missing.length > 0) {
      console.log(
        `bench: also running ${missing.join(', ')} (the targets of the selected scenarios need them)`,
      );
      opts.only.push(...missing);
    }
  }
  return opts;
}

/** Whether `target`'s scenario `name` was selected. */
function selected(opts, target, name) {
  if (target === 'peer' && (!opts.peer || !PEER.has(name))) return false;
  if (!opts.only) return true;
  return opts.only.some((item) => item === name || item === `${target}/${name}`);
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/** Starts one Miniflare server and finds the workerd process it spawned (for its CPU time). */
async function startMeasuredServer(vars) {
  const before = new Set(childPids('workerd'));
  // The Worker's console output (a JSON line per request) is dropped: in production it goes to Workers Logs.
  const server = await startServer({ vars, queueConsumer: QUEUE_CONSUMER, onOutput: () => {} });
  const pids = childPids('workerd').filter((pid) => !before.has(pid));
  return { server, pids };
}

/** Forks the peer; resolves with its address, credentials and pid once it listens. */
function startPeer() {
  const child = fork(path.join(ROOT, 'bench', 'peer', 'oidc-provider.mjs'), [], {
    env: { ...process.env, NODE_ENV: 'production' },
    silent: true,
  });
  /** The peer's last output lines, shown if it fails. */
  const output = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk) => {
      output.push(...String(chunk).split('\n').filter(Boolean));
      output.splice(0, Math.max(0, output.length - 40));
    });
  }
  return new Promise((resolve, reject) => {
    child.once('message', (message) => {
      if (!message?.ready) {
        reject(new Error(`peer: unexpected message ${JSON.stringify(message)}`));
        return;
      }
      resolve({
        ...message.ready,
        pids: [child.pid],
        output,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.disconnect();
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`peer exited with ${code}:\n${output.join('\n')}`)));
  });
}

const label = (s) => `${s.target === 'peer' ? 'peer/' : ''}${s.name}`;

function runLine(rep, s, run) {
  const cpu = run.cpu.msPerRequest === null ? '    –' : run.cpu.msPerRequest.toFixed(3).padStart(6);
  return (
    `  rep ${rep} ${label(s).padEnd(26)} ${run.reqPerSec.toFixed(1).padStart(8)} req/s  ` +
    `p50 ${(run.latencyMs.p50?.toFixed(2) ?? '–').padStart(6)} ms  p99 ${(run.latencyMs.p99?.toFixed(2) ?? '–').padStart(7)} ms  ` +
    `p99.9 ${(run.latencyMs.p999?.toFixed(2) ?? '–').padStart(7)} ms  ` +
    `CPU ${cpu} ms/req  (${run.requests} req)`
  );
}

function resultsStamp(date) {
  return date.toISOString().slice(0, 16).replace(':', '-').concat('Z');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadAverageAtStart = os.loadavg().map((n) => round(n, 2));
  if (loadAverageAtStart[0] > 0.5) {
    console.warn(
      `bench: warning: 1-minute load average is ${loadAverageAtStart[0]}: other work skews results`,
    );
  }

  const wanted = (target, names) => names.filter((n) => selected(opts, target, n));
  const oursWanted = wanted('ours', ORDER);
  const peerWanted = wanted('peer', ORDER);
  const count = oursWanted.length + peerWanted.length;
  if (count === 0) usage('no scenario selected');
  console.log(
    `bench: ${opts.reps} rep(s) × ${count} scenarios × (${opts.warmup} s warm-up + ${opts.duration} s), ` +
      `${opts.connections} connections; about ${Math.ceil((opts.reps * count * (opts.warmup + opts.duration + 2)) / 60) + 1} min`,
  );

  console.log('bench: one ES256 signature (WebCrypto in Node)…');
  const signature = await es256SignatureCost();
  console.log(`bench: ${signature.cpuMsPerSignature.toFixed(4)} ms CPU per signature`);

  const stops = [];
  const stopAll = () => Promise.allSettled(stops.map((stop) => stop()));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopAll().finally(() => process.exit(130));
    });
  }

  let peer;
  try {
    /** @type {Record<string, number[]>} server name -> pids whose CPU is read */
    const pids = {};
    const scenarios = [];
    const vars = { ...BENCH_VARS, ...opts.vars };
    const oursMain = oursWanted.filter((n) => !OPAQUE_SERVER.has(n) && !FLOOR_SERVER.has(n));
    const oursFloor = oursWanted.filter((n) => FLOOR_SERVER.has(n));
    const oursOpaque = oursWanted.filter((n) => OPAQUE_SERVER.has(n));
    if (oursMain.length > 0) {
      console.log('bench: building and starting the Worker (JWT access tokens), creating fixtures…');
      const { server, pids: p } = await startMeasuredServer(vars);
      stops.push(() => server.stop());
      pids.ours = p;
      scenarios.push(...(await ourScenarios(server)).filter((s) => oursMain.includes(s.name)));
      await waitIdle(p, DRAIN.ours); // the fixtures' events
    }
    if (oursOpaque.length > 0) {
      console.log('bench: starting the Worker (opaque access tokens)…');
      const { server, pids: p } = await startMeasuredServer({ ...vars, OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' });
      stops.push(() => server.stop());
      pids.opaque = p;
      scenarios.push(...(await opaqueScenarios(server)).filter((s) => oursOpaque.includes(s.name)));
      await waitIdle(p, DRAIN.ours);
    }
    if (oursFloor.length > 0) {
      console.log('bench: starting the bare Worker (the emulator floor)…');
      const before = new Set(childPids('workerd'));
      const floor = await startFloorServer();
      stops.push(() => floor.stop());
      pids.floor = childPids('workerd').filter((pid) => !before.has(pid));
      scenarios.push(floorScenario(floor));
    }
    if (peerWanted.length > 0) {
      console.log('bench: starting node-oidc-provider…');
      peer = await startPeer();
      stops.push(() => peer.stop());
      pids.peer = peer.pids;
      scenarios.push(...(await peerScenarios(peer)).filter((s) => peerWanted.includes(s.name)));
    }
    for (const [name, list] of Object.entries(pids)) {
      if (list.length === 0) console.warn(`bench: warning: no process found for ${name}: CPU not measured`);
    }
    // Ours, then the peer's of the same name, in table order.
    scenarios.sort(
      (a, b) =>
        ORDER.indexOf(a.name) - ORDER.indexOf(b.name) || (a.target === 'peer') - (b.target === 'peer'),
    );

    // Groups of one name (ours, then the peer's); the first group rotates per repetition.
    const groups = ORDER.map((name) => scenarios.filter((s) => s.name === name)).filter((g) => g.length > 0);
    const raw = Object.fromEntries(scenarios.map((s) => [label(s), []]));
    const failures = [];
    for (let rep = 0; rep < opts.reps; rep += 1) {
      const order = [...groups.slice(rep % groups.length), ...groups.slice(0, rep % groups.length)].flat();
      for (let k = 0; k < order.length; k += 1) {
        const s = order[k];
        const serverPids = pids[s.server] ?? [];
        const base = { connections: opts.connections, pids: serverPids };
        const drain = DRAIN[s.target];
        // Fixtures made just before a run leave work behind (their events): wait it out before measuring.
        const settle = () => waitIdle(serverPids, drain);
        let warm;
        let run;
        if (s.consumes) {
          await s.prepare(opts.pool.warmup);
          warm = await measure(s, { ...base, amount: opts.pool.warmup });
          const n = Math.round(
            Math.min(opts.pool.max, Math.max(opts.pool.min, warm.reqPerSec * opts.duration)),
          );
          await s.prepare(n);
          await settle();
          run = await measure(s, { ...base, amount: n, drain });
        } else {
          if (s.prepare) {
            await s.prepare();
            await settle();
          }
          warm = await measure(s, { ...base, duration: opts.warmup, requireAnswers: false });
          await s.after?.();
          run = await measure(s, { ...base, duration: opts.duration, drain });
          await s.after?.();
        }
        run.rep = rep + 1;
        run.order = k + 1;
        run.warmup = { requests: warm.requests, failed: warm.failed, failures: warm.failures };
        raw[label(s)].push(run);
        console.log(runLine(rep + 1, s, run));
        for (const [phase, r] of [
          ['warm-up', warm],
          ['run', run],
        ]) {
          if (r.failed) {
            failures.push({ scenario: label(s), rep: rep + 1, phase, failures: r.failures });
            console.error(`    FAILED (${phase}): ${JSON.stringify(r.failures)}`);
          }
        }
      }
    }

    if (failures.length > 0) {
      console.error(
        `\nbench: FAILED: ${failures.length} run(s) had answers other than the expected (see above)`,
      );
      if (peer && failures.some((f) => f.scenario.startsWith('peer/'))) {
        console.error(`bench: the peer's last output:\n${peer.output.join('\n')}`);
      }
      console.error('bench: results not written');
      return 1;
    }

    const summary = scenarios.map((s) => summarize(s.target, s.name, s.what, raw[label(s)]));
    const date = new Date();
    const complete = !opts.quick && !opts.only && opts.peer && !opts.customised;
    const report = {
      format: 'edge-oauth2-bench/2',
      environment: {
        date: date.toISOString(),
        node: process.version,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        // Other processes on the machine skew every scenario; this shows whether any ran just before.
        loadAverageAtStart,
        loadAverageAtEnd: os.loadavg().map((n) => round(n, 2)),
        packages: Object.fromEntries(
          ['wrangler', 'miniflare', 'hono', 'jose', 'oidc-provider', 'autocannon'].map((n) => [
            n,
            packageVersion(n),
          ]),
        ),
      },
      parameters: {
        quick: opts.quick,
        complete,
        reps: opts.reps,
        durationSeconds: opts.duration,
        warmupSeconds: opts.warmup,
        connections: opts.connections,
        pool: opts.pool,
        only: opts.only,
        vars,
        pipelining: 1,
        host: '127.0.0.1',
        server: 'Miniflare API, wrangler deploy --dry-run bundle, in-memory D1 and Durable Objects',
        peer: 'oidc-provider in a forked Node process, NODE_ENV=production, in-memory adapter',
        reqPerSec: 'answers with the expected status / wall time of the run',
        latency:
          'response times (hrtime) of each run, nearest-rank percentiles (p50, p90, p99, p999 = p99.9); ' +
          'summary = median over reps',
        cpu:
          'utime+stime from /proc/<pid>/stat of the server processes (workerd for ours, the peer Node ' +
          `process) from the start of the run until the server is idle after it (the drain: the queue ` +
          `consumer's work on the run's events) / answers; resolution ${cpuResolutionMs()} ms per reading; ` +
          'summary = median',
        queueConsumer: QUEUE_CONSUMER,
        processes: pids,
      },
      signature,
      summary,
      targets: targets(summary, raw),
      ok: true,
      raw,
      wallSeconds: round((Date.now() - started) / 1000, 1),
    };

    const dir = opts.out ?? (complete ? RESULTS_DIR : path.join(os.tmpdir(), 'edge-oauth2-bench'));
    await mkdir(dir, { recursive: true });
    const stem = path.join(dir, `${resultsStamp(date)}${complete ? '' : '-partial'}`);
    writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${stem}.md`, markdown(report));
    console.log(`\n${table(report).join('\n')}\n`);
    console.log(`One ES256 signature: ${signature.cpuMsPerSignature.toFixed(4)} ms CPU\n`);
    console.log(targetLines(report).join('\n'));
    const shown = stem.startsWith(`${ROOT}${path.sep}`) ? path.relative(ROOT, stem) : stem;
    console.log(`\nbench: wrote ${shown}.json and .md (${report.wallSeconds} s)`);
    if (opts.quick) console.log('bench: quick run: figures are a smoke test, not for comparison');
    if (opts.updateReadme) {
      if (!complete)
        console.warn(
          'bench: --update-readme ignored: only a complete default run goes in docs/performance.md and the README',
        );
      else console.log(`bench: ${updateReadme(`${stem}.json`)}`);
    }
    return 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
