#!/usr/bin/env node
/**
 * `node bench/profile.mjs SCENARIO [--duration S] [--connections C] [--interval US] [--top N] [--var NAME=VALUE]
 *   [--weight time|samples]`
 *
 * A CPU profile of our Worker under one benchmark scenario (bench/lib/scenarios.mjs; e.g. cc_jwt, revoke,
 * cc_opaque): serves the bundle under Miniflare with workerd's V8 inspector open, samples the Worker's
 * isolate (the Worker and its Durable Objects run in it) while autocannon drives the scenario, and prints the
 * functions with the most self time and the most total time. The profile is also written as a
 * .cpuprofile file (open it in Chrome DevTools' Performance panel) next to the printed path. Samples are
 * relative shares, so a loaded machine still shows where the time goes.
 *
 * `--weight time` (the default) weighs each sample by the time since the previous one; `--weight samples`
 * counts every sample once. On a busy machine the sampler thread is often descheduled, and the long gap
 * that follows lands on whatever frame happened to run: counting samples is then the steadier share.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { parseScenarioArgs } from './lib/args.mjs';
import { measure } from './lib/load.mjs';
import { opaqueScenarios, ourScenarios } from './lib/scenarios.mjs';
import { startServer } from './lib/server.mjs';

function parseArgs(argv) {
  const opts = parseScenarioArgs(
    argv,
    { scenario: null, duration: 5, connections: 10, interval: 100, top: 25, weight: 'time' },
    { numbers: ['duration', 'connections', 'interval', 'top'], choices: { weight: ['time', 'samples'] } },
  );
  if (!opts.scenario) throw new Error('usage: node bench/profile.mjs SCENARIO [--duration S] ...');
  return opts;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspectorSession(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(JSON.stringify(message.error)));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      id += 1;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
    },
    close: () => ws.close(),
  };
}

/**
 * Self and total sample time per function (name + position), from a V8 CPU profile; with `weight`
 * `samples`, the sampling interval per sample instead of the measured gap (see the header).
 */
function analyse(profile, weight, intervalUs) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i += 1) {
    const nodeId = profile.samples[i];
    const us = weight === 'samples' ? intervalUs : (profile.timeDeltas[i] ?? 0);
    selfUs.set(nodeId, (selfUs.get(nodeId) ?? 0) + us);
  }
  const key = (n) => {
    const f = n.callFrame;
    const file = f.url ? path.basename(f.url) : '';
    return `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [nodeId, us] of selfUs) {
    all += us;
    const n = nodes.get(nodeId);
    self.set(key(n), (self.get(key(n)) ?? 0) + us);
    // Total: once per distinct function on the stack (recursion counted once).
    const seen = new Set();
    for (let id = nodeId; id !== undefined; id = parent.get(id)) {
      const k = key(nodes.get(id));
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + us);
    }
  }
  const rank = (m) => [...m].sort((a, b) => b[1] - a[1]);
  return { all, self: rank(self), total: rank(total) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const inspectorPort = await freePort();
  const opaque = opts.scenario === 'cc_opaque' || opts.scenario === 'introspect_opaque';
  const vars = {
    OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: '300',
    ...(opaque ? { OAUTH2_ACCESS_TOKENS_OPAQUE: 'true' } : {}),
    ...opts.vars,
  };
  const server = await startServer({
    vars,
    inspectorPort,
    onOutput: () => {},
    queueConsumer: { maxBatchTimeout: 1 },
  });
  let session;
  try {
    const scenarios = opaque ? await opaqueScenarios(server) : await ourScenarios(server);
    const scenario = scenarios.find((s) => s.name === opts.scenario);
    if (!scenario)
      throw new Error(`no scenario ${opts.scenario} (${scenarios.map((s) => s.name).join(', ')})`);

    const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
    // The user Worker's isolate is `core:user:`; Miniflare's own are `core:entry` and its simulators
    // (`d1:*`, `queues:*`, `cache:*`). Their work is not sampled here: a V8 profile of another isolate on
    // workerd's one thread also counts the time that thread spends elsewhere, which misleads.
    const target = targets.find((t) => String(t.title).includes('core:user:')) ?? targets[0];
    session = await inspectorSession(target.webSocketDebuggerUrl);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: opts.interval });

    const base = { connections: opts.connections, pids: [] };
    const amount = Math.max(500, opts.duration * 200);
    if (scenario.consumes) await scenario.prepare(400);
    else await scenario.prepare?.();
    await measure(scenario, scenario.consumes ? { ...base, amount: 400 } : { ...base, duration: 1 });
    if (scenario.consumes) await scenario.prepare(amount);
    await scenario.after?.();

    await session.send('Profiler.start');
    const run = await measure(
      scenario,
      scenario.consumes ? { ...base, amount } : { ...base, duration: opts.duration },
    );
    const { profile } = await session.send('Profiler.stop');
    if (run.failed) console.warn(`profile: warning: the run had failures: ${JSON.stringify(run.failures)}`);

    const file = path.join(os.tmpdir(), `edge-oauth2-${opts.scenario}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const { all, self, total } = analyse(profile, opts.weight, opts.interval);
    const perRequest = (us) => (us / 1000 / Math.max(1, run.requests)).toFixed(4);
    console.log(
      `profile: ${opts.scenario}, ${run.requests} requests, ${(all / 1000).toFixed(0)} ms sampled ` +
        `(${perRequest(all)} ms/request incl. idle), ${run.reqPerSec} req/s, weighed by ${opts.weight}; ${file}`,
    );
    // The code at each position, from the very bundle that ran (the tree may have changed since).
    const bundle = readFileSync(server.scriptPath, 'utf8').split('\n');
    const code = (name) => {
      const m = /index\.js:(\d+):(\d+)$/.exec(name);
      if (!m) return '';
      const line = bundle[Number(m[1]) - 1] ?? '';
      const col = Number(m[2]) - 1;
      return `    ${line.slice(Math.max(0, col - 20), col + 80).trim()}`;
    };
    const print = (title, rows) => {
      console.log(`\n${title}\n   ms/req   share  function`);
      for (const [name, us] of rows.slice(0, opts.top)) {
        console.log(
          `  ${perRequest(us).padStart(7)}  ${((us / all) * 100).toFixed(1).padStart(5)} %  ${name}${code(name)}`,
        );
      }
    };
    print('self time', self);
    print('total time (on the stack)', total);
  } finally {
    session?.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
