#!/usr/bin/env node
/**
 * `node bench/instructions.mjs [SCENARIO] [--requests N] [--warmup N] [--var NAME=VALUE ...]`
 *
 * Machine instructions per request of one simple scenario, counted by valgrind's callgrind over the whole
 * workerd process (the Worker, its Durable Objects, D1, the queue broker and the consumer): a figure that
 * does not move with the machine's load, for comparing two versions of the code where CPU time on a shared
 * VM differs by ±10–15 % between runs of the same build. Needs valgrind (`apt-get install valgrind`); runs
 * about 50× slower than natively, so a few hundred requests take a minute or two.
 *
 * The built bundle is served under the Miniflare API (bench/lib/server.mjs) with workerd started under
 * callgrind; SCENARIO (`cc_jwt`, the default, `cc_opaque` or `health`) runs `--warmup` times (key
 * generation, first objects, caches), the counters are zeroed, `--requests` requests run one after another,
 * the queue consumer drains the events they published, and the counters are dumped. Printed: instructions
 * per request. To compare two commits, run it in a `git worktree` of each (node_modules may be a symlink).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenarioArgs } from './lib/args.mjs';
import { childPids } from './lib/cpu.mjs';
import { startServer } from './lib/server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKERD = path.join(ROOT, 'node_modules', '@cloudflare', 'workerd-linux-64', 'bin', 'workerd');
/** The consumer's batch timeout in wrangler.toml is 5 s; the events of the last requests are consumed by then. */
const DRAIN_MS = 8000;

const SCENARIOS = {
  health: { vars: {}, request: () => ({ path: '/health', init: {} }) },
  cc_jwt: { vars: {}, request: tokenRequest },
  cc_opaque: { vars: { OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' }, request: tokenRequest },
};

function tokenRequest(server) {
  const basic = Buffer.from(`${server.adminClientId}:${server.adminClientSecret}`).toString('base64');
  return {
    path: '/oauth/token',
    init: {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=read',
    },
  };
}

function parseArgs(argv) {
  const opts = parseScenarioArgs(
    argv,
    { scenario: 'cc_jwt', requests: 300, warmup: 100 },
    { numbers: ['requests', 'warmup'] },
  );
  if (!(opts.scenario in SCENARIOS)) {
    throw new Error(`unknown scenario ${opts.scenario} (one of ${Object.keys(SCENARIOS).join(', ')})`);
  }
  return opts;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The command name of a process valgrind's callgrind runs (what /proc/<pid>/comm shows, 15 characters). */
const CALLGRIND_COMM = 'callgrind-amd64';

/** Sends one request, retrying a dropped connection (workerd under valgrind is slow to answer). */
async function send(server, { path: route, init }) {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${server.url}${route}`, init);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${text.slice(0, 200)}`);
      return;
    } catch (error) {
      if (attempt >= 10 || String(error).includes('answered')) throw error;
      await sleep(1000);
    }
  }
}

/** Instructions (Ir) of the dumps callgrind wrote into `dir` on request (after the counters were zeroed). */
function dumpedInstructions(dir) {
  let total = 0;
  for (const name of readdirSync(dir)) {
    if (!/\.\d+\.\d+$/.test(name)) continue; // dumps on request are numbered; the final dump is not
    const summary = /^summary: (\d+)$/m.exec(readFileSync(path.join(dir, name), 'utf8'));
    if (summary) total += Number(summary[1]);
  }
  return total;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(WORKERD)) throw new Error(`no workerd binary at ${WORKERD}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-oauth2-instructions-'));
  const wrapper = path.join(dir, 'workerd');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec valgrind --tool=callgrind --dump-instr=no --collect-jumps=no -q --smc-check=all-non-file --callgrind-out-file=${dir}/callgrind.%p ${WORKERD} "$@"\n`,
    { mode: 0o755 },
  );
  process.env.MINIFLARE_WORKERD_PATH = wrapper;
  const scenario = SCENARIOS[opts.scenario];
  console.log(`instructions: starting workerd under callgrind (about half a minute)…`);
  const server = await startServer({ vars: { ...scenario.vars, ...opts.vars }, onOutput: () => {} });
  try {
    const pids = childPids(CALLGRIND_COMM).map(String);
    if (pids.length === 0) throw new Error('workerd is not running under valgrind (is valgrind installed?)');
    const request = scenario.request(server);
    for (let i = 0; i < opts.warmup; i++) await send(server, request);
    await sleep(DRAIN_MS);
    for (const pid of pids) execFileSync('callgrind_control', ['--zero', pid], { stdio: 'ignore' });
    for (let i = 0; i < opts.requests; i++) await send(server, request);
    await sleep(DRAIN_MS);
    for (const pid of pids) execFileSync('callgrind_control', ['--dump', pid], { stdio: 'ignore' });
    await sleep(2000);
    const total = dumpedInstructions(dir);
    console.log(
      `${opts.scenario}: ${(total / opts.requests / 1e6).toFixed(3)} M instructions per request ` +
        `(${opts.requests} requests after ${opts.warmup} warm-up, ${total} in all, workerd process incl. drain)`,
    );
  } finally {
    for (const pid of childPids(CALLGRIND_COMM)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`instructions: ${error.message ?? error}`);
    process.exit(1);
  },
);
