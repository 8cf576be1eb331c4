#!/usr/bin/env node
/**
 * `npm run bench [-- --reps N] [--duration S] [--connections C] [--var NAME=VALUE ...]`
 *
 * Serves the built Worker under the Miniflare API (bench/lib/server.mjs) on 127.0.0.1 and drives it with
 * autocannon. Scenarios run round-robin within each repetition (the starting scenario rotates per
 * repetition), each run after a 1 s warm-up of the same scenario:
 *   health            GET /health (the bare route: the floor every other route is compared with)
 *   cc_jwt            POST /oauth/token, client_credentials, Basic auth of the admin client (JWT access tokens)
 *   introspect_jwt    POST /oauth/introspect of one pre-issued JWT (Basic auth of the admin client)
 *   cc_opaque         as cc_jwt, on a second server with OAUTH2_ACCESS_TOKENS_OPAQUE=true
 *   introspect_opaque as introspect_jwt, of one opaque token of that server
 * Every response of every run (warm-ups included) must be 2xx with the expected body; otherwise exit 1.
 *
 * Writes bench/results/latest.json (environment, parameters, every repetition) and bench/results/latest.md,
 * and prints the table. Local-emulator numbers: compare scenarios within one run, not absolute figures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startServer } from './lib/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const WARMUP_SECONDS = 1;

/** This issue's target: issuing a JWT by client_credentials costs at most 2.5x a bare route. */
const TARGETS = [{ scenario: 'cc_jwt', base: 'health', minRatio: 0.4 }];

function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error(
    'usage: npm run bench [-- --reps N] [--duration SECONDS] [--connections C] [--var NAME=VALUE ...]',
  );
  process.exit(2);
}

function parseArgs(argv) {
  /** `--var NAME=VALUE`: extra Worker vars for both servers (e.g. OAUTH2_RATE_LIMIT_ENABLED=false). */
  const opts = { reps: 3, duration: 5, connections: 10, vars: {} };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') usage();
    if (arg === '--var' || arg.startsWith('--var=')) {
      const pair = arg === '--var' ? (argv[++i] ?? '') : arg.slice('--var='.length);
      const eq = pair.indexOf('=');
      if (eq < 1) usage(`--var needs NAME=VALUE, got ${pair}`);
      opts.vars[pair.slice(0, eq)] = pair.slice(eq + 1);
      continue;
    }
    const m = /^--(reps|duration|connections)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) usage(`unknown argument ${arg}`);
    let value = m[2];
    if (value === undefined) {
      i += 1;
      value = argv[i];
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) usage(`--${m[1]} needs a positive whole number`);
    opts[m[1]] = n;
  }
  return opts;
}

const basic = (id, secret) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

async function issueToken(server, scope = 'read') {
  const res = await fetch(`${server.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basic(server.adminClientId, server.adminClientSecret),
      'content-type': FORM,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`pre-issuing a token failed: ${res.status} ${text}`);
  return JSON.parse(text).access_token;
}

/** The scenarios of one server: autocannon request options plus a body check. */
function scenariosFor(server, prefix, token, { withHealth }) {
  const auth = basic(server.adminClientId, server.adminClientSecret);
  const list = [];
  if (withHealth) {
    list.push({
      name: 'health',
      request: { url: `${server.url}/health`, method: 'GET' },
      verifyBody: (body) => body.includes('"healthy"'),
    });
  }
  list.push({
    name: `cc_${prefix}`,
    request: {
      url: `${server.url}/oauth/token`,
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: 'grant_type=client_credentials&scope=read',
    },
    verifyBody: (body) => body.includes('"access_token"'),
  });
  list.push({
    name: `introspect_${prefix}`,
    request: {
      url: `${server.url}/oauth/introspect`,
      method: 'POST',
      headers: { authorization: auth, 'content-type': FORM },
      body: new URLSearchParams({ token }).toString(),
    },
    verifyBody: (body) => body.includes('"active":true'),
  });
  return list;
}

/**
 * One autocannon run. autocannon's own latency histogram has 1 ms resolution, too coarse for sub-ms routes,
 * so the exact response times (hrtime, ms) of 2xx responses are also collected for the percentiles.
 */
function runAutocannon(scenario, { duration, connections }) {
  return new Promise((resolve, reject) => {
    /** @type {number[]} */
    const times = [];
    const instance = autocannon(
      {
        ...scenario.request,
        connections,
        duration,
        pipelining: 1,
        timeout: 10,
        verifyBody: scenario.verifyBody,
      },
      (err, result) => (err ? reject(err) : resolve({ result, times })),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) times.push(responseTime);
    });
  });
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Requests that were not a 2xx with the expected body, or never completed. */
function failuresOf(result) {
  return {
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]),
    ),
  };
}
const failed = (f) => f.non2xx + f.errors + f.timeouts + f.mismatches > 0;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (n, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function summarize(name, runs) {
  const rps = runs.map((r) => r.reqPerSec);
  return {
    scenario: name,
    reqPerSec: {
      median: round(median(rps), 1),
      min: round(Math.min(...rps), 1),
      max: round(Math.max(...rps), 1),
    },
    latencyMs: {
      p50: round(median(runs.map((r) => r.latencyMs.p50))),
      p99: round(median(runs.map((r) => r.latencyMs.p99))),
    },
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
  };
}

function ratiosOf(summaries) {
  const byName = Object.fromEntries(summaries.map((s) => [s.scenario, s]));
  const health = byName.health?.reqPerSec.median;
  const out = {};
  for (const s of summaries) {
    if (s.scenario === 'health' || !health) continue;
    out[`${s.scenario}/health`] = round(s.reqPerSec.median / health, 3);
  }
  return out;
}

function verdicts(summaries) {
  const byName = Object.fromEntries(summaries.map((s) => [s.scenario, s]));
  return TARGETS.map((t) => {
    const ratio = round(byName[t.scenario].reqPerSec.median / byName[t.base].reqPerSec.median, 3);
    return { target: `${t.scenario} >= ${t.minRatio}x ${t.base}`, ratio, pass: ratio >= t.minRatio };
  });
}

function markdown(report) {
  const { environment: env, parameters: p } = report;
  const lines = [
    '# Benchmark: latest run',
    '',
    `${env.date} · Node ${env.node} · ${env.cpuModel} × ${env.cores} · wrangler ${env.packages.wrangler}, ` +
      `miniflare ${env.packages.miniflare}, hono ${env.packages.hono}, jose ${env.packages.jose} · ` +
      `1-min load average before the run ${env.loadAverage1mAtStart}`,
    '',
    `Miniflare API serving the \`wrangler deploy --dry-run\` bundle on 127.0.0.1; autocannon in the same ` +
      `machine, ${p.connections} connections, ${p.durationSeconds} s per run after a ${p.warmupSeconds} s ` +
      `warm-up, ${p.reps} repetitions round-robin. Every request was 2xx with the expected body.`,
    '',
    '| scenario | req/s median (min–max) | ×health | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const s of report.summary) {
    const ratio = s.scenario === 'health' ? '1.000' : report.ratios[`${s.scenario}/health`].toFixed(3);
    lines.push(
      `| ${s.scenario} | ${s.reqPerSec.median.toFixed(1)} (${s.reqPerSec.min.toFixed(1)}–` +
        `${s.reqPerSec.max.toFixed(1)}) | ${ratio} | ${s.latencyMs.p50.toFixed(2)} | ${s.latencyMs.p99.toFixed(2)} |`,
    );
  }
  lines.push('');
  for (const v of report.targets) {
    lines.push(`Target ${v.target}: **${v.pass ? 'PASS' : 'FAIL'}** (${v.ratio.toFixed(3)}×)`);
  }
  lines.push('', 'Local-emulator figures: compare scenarios within one run, not absolute numbers.', '');
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  if (loadAtStart > 0.5) {
    console.warn(
      `bench: warning: 1-minute load average is ${loadAtStart.toFixed(2)}: other work may skew results`,
    );
  }
  console.log(
    `bench: ${opts.reps} reps × 5 scenarios × (${WARMUP_SECONDS} s warm-up + ${opts.duration} s), ` +
      `${opts.connections} connections`,
  );

  const servers = [];
  const stopAll = () => Promise.allSettled(servers.map((s) => s.stop()));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      stopAll().finally(() => process.exit(130));
    });
  }

  try {
    // The Worker's console output (a JSON line per request and per event) is read and dropped: in production
    // it goes to Workers Logs, not to a terminal.
    const onOutput = () => {};
    const jwtServer = await startServer({ vars: opts.vars, onOutput });
    servers.push(jwtServer);
    const opaqueServer = await startServer({
      vars: { ...opts.vars, OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' },
      onOutput,
    });
    servers.push(opaqueServer);

    const jwt = await issueToken(jwtServer);
    if (jwt.split('.').length !== 3) throw new Error('the JWT server issued a non-JWT access token');
    const opaque = await issueToken(opaqueServer);
    if (opaque.split('.').length === 3) throw new Error('the opaque server issued a JWT access token');

    const scenarios = [
      ...scenariosFor(jwtServer, 'jwt', jwt, { withHealth: true }),
      ...scenariosFor(opaqueServer, 'opaque', opaque, { withHealth: false }),
    ];
    const raw = Object.fromEntries(scenarios.map((s) => [s.name, []]));
    let anyFailure = false;

    for (let rep = 0; rep < opts.reps; rep += 1) {
      for (let k = 0; k < scenarios.length; k += 1) {
        const scenario = scenarios[(rep + k) % scenarios.length];
        const params = { connections: opts.connections };
        const { result: warm } = await runAutocannon(scenario, { ...params, duration: WARMUP_SECONDS });
        const { result, times } = await runAutocannon(scenario, { ...params, duration: opts.duration });
        times.sort((a, b) => a - b);
        const warmFailures = failuresOf(warm);
        const failures = failuresOf(result);
        const run = {
          rep: rep + 1,
          order: k + 1,
          reqPerSec: round(result.requests.average, 1),
          requests: result.requests.total,
          durationSeconds: result.duration,
          latencyMs: {
            mean: round(times.reduce((sum, t) => sum + t, 0) / times.length, 3),
            p50: round(percentile(times, 50), 3),
            p90: round(percentile(times, 90), 3),
            p99: round(percentile(times, 99), 3),
            max: round(times[times.length - 1] ?? Number.NaN, 3),
          },
          failures,
          warmup: { requests: warm.requests.total, failures: warmFailures },
        };
        raw[scenario.name].push(run);
        const bad = failed(failures) || failed(warmFailures);
        anyFailure ||= bad;
        console.log(
          `  rep ${rep + 1} ${scenario.name.padEnd(17)} ${run.reqPerSec.toFixed(1).padStart(8)} req/s  ` +
            `p50 ${run.latencyMs.p50.toFixed(2).padStart(6)} ms  p99 ${run.latencyMs.p99.toFixed(2).padStart(6)} ms` +
            (bad ? `  FAILED ${JSON.stringify({ run: failures, warmup: warmFailures })}` : ''),
        );
      }
    }

    const summary = scenarios.map((s) => summarize(s.name, raw[s.name]));
    const report = {
      environment: {
        date: new Date().toISOString(),
        node: process.version,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        // Other processes on the machine skew every scenario; this shows whether any ran just before.
        loadAverage1mAtStart: round(loadAtStart, 2),
        packages: Object.fromEntries(
          ['wrangler', 'miniflare', 'hono', 'jose', 'autocannon'].map((name) => [name, packageVersion(name)]),
        ),
      },
      parameters: {
        reps: opts.reps,
        durationSeconds: opts.duration,
        warmupSeconds: WARMUP_SECONDS,
        connections: opts.connections,
        vars: opts.vars,
        pipelining: 1,
        host: '127.0.0.1',
        server: 'Miniflare API, wrangler deploy --dry-run bundle, in-memory D1 and Durable Objects',
        reqPerSec: "autocannon's mean of per-second request counts",
        latency: '2xx response times (hrtime) per run, nearest-rank percentiles; summary = median over reps',
      },
      summary,
      ratios: ratiosOf(summary),
      targets: verdicts(summary),
      ok: !anyFailure,
      raw,
      wallSeconds: round((Date.now() - started) / 1000, 1),
    };

    if (anyFailure) {
      console.error('\nbench: FAILED: some requests were not 2xx with the expected body (see above)');
      console.error('bench: results not written');
      return 1;
    }

    await mkdir(RESULTS_DIR, { recursive: true });
    writeFileSync(path.join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    const md = markdown(report);
    writeFileSync(path.join(RESULTS_DIR, 'latest.md'), md);
    console.log(`\n${md}`);
    console.log(`bench: wrote bench/results/latest.json and latest.md (${report.wallSeconds} s)`);
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
