/**
 * Summaries, targets and the markdown of a benchmark run (shared by bench/run.mjs and bench/readme-table.mjs,
 * which writes the table of docs/performance.md and the summary in README.md).
 */
import { round } from './load.mjs';

const median = (values) => {
  const sorted = values.filter((v) => v !== null && !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Medians over repetitions (with the min–max of req/s) of one scenario of one target. */
export function summarize(target, name, what, runs) {
  const rps = runs.map((r) => r.reqPerSec);
  return {
    target,
    scenario: name,
    what,
    reqPerSec: {
      median: round(median(rps), 1),
      min: round(Math.min(...rps), 1),
      max: round(Math.max(...rps), 1),
    },
    latencyMs: {
      p50: round(median(runs.map((r) => r.latencyMs.p50))),
      p99: round(median(runs.map((r) => r.latencyMs.p99))),
    },
    cpuMsPerRequest: round(median(runs.map((r) => r.cpu.msPerRequest)), 3),
    /** Cores the server kept busy: its CPU time (run + drain) over the run's wall time. */
    cpuCores: round(median(runs.map((r) => r.cpu.utilization ?? null)), 2),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
  };
}

/**
 * The user-facing flows both servers run, each with the target "ours ≤ 1.5× the peer's CPU per request above
 * the floor": each side's CPU/request minus its own floor's (ours: `runtime_floor`, a Worker running no code
 * under the same emulator; the peer: `health`, a bare Node http route in the same process), so neither side is
 * charged for its runtime's per-request cost (workerd + Miniflare's loopback vs Node's http).
 */
export const CPU_ABOVE_FLOOR = ['refresh_rotate', 'code_exchange', 'userinfo'];
const CPU_ABOVE_FLOOR_LIMIT = 1.5;

/**
 * The performance targets, each `{ target, ratio, limit, pass }`; `pass` is null (skipped) when a scenario it
 * needs did not run. Throughput ratios must reach `limit`; the CPU ratio must stay at or under it.
 */
export function targets(summary, signature) {
  const find = (target, scenario) => summary.find((s) => s.target === target && s.scenario === scenario);
  const rps = (target, scenario) => find(target, scenario)?.reqPerSec.median ?? null;
  const atLeast = (label, a, b, limit) => {
    const ratio = a === null || b === null || b === 0 ? null : round(a / b, 3);
    return { target: label, ratio, limit, kind: 'min', pass: ratio === null ? null : ratio >= limit };
  };
  const list = [
    atLeast('cc_jwt >= 0.5x health (req/s)', rps('ours', 'cc_jwt'), rps('ours', 'health'), 0.5),
    atLeast('cc_jwt >= 0.8x peer cc_jwt (req/s)', rps('ours', 'cc_jwt'), rps('peer', 'cc_jwt'), 0.8),
    atLeast(
      'introspect_jwt >= 0.5x health (req/s)',
      rps('ours', 'introspect_jwt'),
      rps('ours', 'health'),
      0.5,
    ),
    atLeast(
      'refresh_spread >= 1.5x refresh_concentrated (req/s)',
      rps('ours', 'refresh_spread'),
      rps('ours', 'refresh_concentrated'),
      1.5,
    ),
  ];
  // The peer target beside the emulator's floor: what is left above a Worker that runs no code at all.
  const floor = find('ours', 'runtime_floor');
  const peerCc = rps('peer', 'cc_jwt');
  if (floor && peerCc !== null && list[1]) {
    list[1].floor = {
      floorRps: floor.reqPerSec.median,
      floorCpuMs: floor.cpuMsPerRequest,
      neededRps: round(peerCc * 0.8, 1),
      healthCpuMs: find('ours', 'health')?.cpuMsPerRequest ?? null,
    };
  }
  const token = find('ours', 'cc_jwt')?.cpuMsPerRequest ?? null;
  const bare = find('ours', 'health')?.cpuMsPerRequest ?? null;
  const budget = bare === null || signature === null ? null : bare + signature.cpuMsPerSignature;
  const ratio = token === null || budget === null || budget === 0 ? null : round(token / budget, 3);
  const cpu = (target, scenario) => find(target, scenario)?.cpuMsPerRequest ?? null;
  for (const name of CPU_ABOVE_FLOOR) {
    const oursFloor = cpu('ours', 'runtime_floor');
    const peerFloor = cpu('peer', 'health');
    const oursMs = cpu('ours', name);
    const peerMs = cpu('peer', name);
    const above = (ms, floorMs) => (ms === null || floorMs === null ? null : ms - floorMs);
    const oursAbove = above(oursMs, oursFloor);
    const peerAbove = above(peerMs, peerFloor);
    const ratio =
      oursAbove === null || peerAbove === null || peerAbove <= 0 ? null : round(oursAbove / peerAbove, 3);
    list.push({
      target: `${name} CPU/request above the floor <= ${CPU_ABOVE_FLOOR_LIMIT}x the peer's (ours - runtime_floor vs peer - peer health)`,
      ratio,
      limit: CPU_ABOVE_FLOOR_LIMIT,
      kind: 'max',
      pass: ratio === null ? null : ratio <= CPU_ABOVE_FLOOR_LIMIT,
      ...(ratio === null && peerAbove !== null && oursAbove !== null
        ? { skipped: `the peer's CPU above its floor is ${fmt(peerAbove, 3)} ms: no ratio` }
        : {}),
      aboveFloor: {
        oursCpuMs: oursMs,
        oursFloorCpuMs: oursFloor,
        oursAboveMs: round(oursAbove, 3),
        peerCpuMs: peerMs,
        peerFloorCpuMs: peerFloor,
        peerAboveMs: round(peerAbove, 3),
      },
    });
  }
  list.push({
    target: 'cc_jwt CPU/request <= 2x (health CPU/request + one ES256 signature)',
    ratio,
    limit: 2,
    kind: 'max',
    pass: ratio === null ? null : ratio <= 2,
    detail: {
      ccJwtCpuMs: token,
      healthCpuMs: bare,
      signatureCpuMs: round(signature?.cpuMsPerSignature ?? null, 4),
    },
  });
  return list;
}

const fmt = (n, digits = 1) => (n === null || n === undefined ? '–' : n.toFixed(digits));

/** The side-by-side table (ours | node-oidc-provider) as markdown lines. */
export function table(report) {
  const ours = report.summary.filter((s) => s.target === 'ours');
  const peer = new Map(report.summary.filter((s) => s.target === 'peer').map((s) => [s.scenario, s]));
  const health = ours.find((s) => s.scenario === 'health')?.reqPerSec.median ?? null;
  const names = [
    ...ours.map((s) => s.scenario),
    ...[...peer.keys()].filter((n) => !ours.some((s) => s.scenario === n)),
  ];
  const rows = [];
  for (const name of names) {
    const s = ours.find((o) => o.scenario === name);
    const p = peer.get(name);
    const cells = [`\`${name}\``];
    if (s) {
      cells.push(
        `${fmt(s.reqPerSec.median)} (${fmt(s.reqPerSec.min)}–${fmt(s.reqPerSec.max)})`,
        health ? fmt(s.reqPerSec.median / health, 2) : '–',
        fmt(s.latencyMs.p50, 2),
        fmt(s.latencyMs.p99, 2),
        fmt(s.cpuMsPerRequest, 3),
      );
    } else {
      cells.push('–', '–', '–', '–', '–');
    }
    if (p) {
      cells.push(
        `${fmt(p.reqPerSec.median)} (${fmt(p.reqPerSec.min)}–${fmt(p.reqPerSec.max)})`,
        fmt(p.latencyMs.p50, 2),
        fmt(p.latencyMs.p99, 2),
        fmt(p.cpuMsPerRequest, 3),
      );
    } else {
      cells.push('–', '–', '–', '–');
    }
    rows.push(cells);
  }
  return aligned(
    [
      'scenario',
      'req/s median (min–max)',
      '×health',
      'p50 ms',
      'p99 ms',
      'CPU ms/req',
      'peer req/s (min–max)',
      'peer p50 ms',
      'peer p99 ms',
      'peer CPU ms/req',
    ],
    rows,
  );
}

/** A markdown table with padded columns (the first left-aligned, the others right-aligned), as Biome formats. */
function aligned(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const pad = (cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
  const line = (cells) => `| ${cells.map(pad).join(' | ')} |`;
  const rule = widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)];
}

/** One line per target: PASS / MISS with the ratio (and by how much a miss misses). */
export function targetLines(report) {
  return report.targets.map((t) => {
    if (t.pass === null) return `- ${t.target}: skipped (${t.skipped ?? 'a scenario it needs did not run'})`;
    const verdict = t.pass ? '**PASS**' : '**MISS**';
    const by = t.pass
      ? ''
      : t.kind === 'min'
        ? `, ${fmt((1 - t.ratio / t.limit) * 100, 0)} % short`
        : `, ${fmt((t.ratio / t.limit - 1) * 100, 0)} % over`;
    const detail = t.detail
      ? ` (cc_jwt ${fmt(t.detail.ccJwtCpuMs, 3)} ms vs health ${fmt(t.detail.healthCpuMs, 3)} ms + signature ${fmt(t.detail.signatureCpuMs, 3)} ms)`
      : '';
    const floor = t.floor
      ? ` (the emulator floor, a Worker running no code of ours, serves ${fmt(t.floor.floorRps)} req/s at ` +
        `${fmt(t.floor.floorCpuMs, 3)} ms CPU; 0.8× the peer is ${fmt(t.floor.neededRps)} req/s, which on ` +
        `workerd's one busy thread leaves about ${fmt(1000 / t.floor.neededRps - t.floor.floorCpuMs, 3)} ms CPU ` +
        `above that floor for everything a token request does; our bare route alone uses ` +
        `${fmt((t.floor.healthCpuMs ?? Number.NaN) - t.floor.floorCpuMs, 3)} ms above it)`
      : '';
    const a = t.aboveFloor;
    const aboveFloor = a
      ? ` (ours ${fmt(a.oursCpuMs, 3)} − floor ${fmt(a.oursFloorCpuMs, 3)} = ${fmt(a.oursAboveMs, 3)} ms; ` +
        `peer ${fmt(a.peerCpuMs, 3)} − floor ${fmt(a.peerFloorCpuMs, 3)} = ${fmt(a.peerAboveMs, 3)} ms)`
      : '';
    return `- ${t.target}: ${verdict} ${fmt(t.ratio, 3)}× (limit ${t.limit}×${by})${detail}${floor}${aboveFloor}`;
  });
}

/** How many cores our server kept busy per scenario (workerd runs everything on one thread here). */
function coresLine(report) {
  const ours = report.summary.filter(
    (s) => s.target === 'ours' && s.cpuCores !== null && s.cpuCores !== undefined,
  );
  if (ours.length === 0) return [];
  const list = ours.map((s) => `\`${s.scenario}\` ${fmt(s.cpuCores, 2)}`).join(', ');
  return [
    `Cores our workerd process kept busy (its CPU time over each run's wall time, median): ${list}. ` +
      'Under Miniflare one workerd process runs the Worker, every Durable Object, D1 and the queue on one ' +
      'thread, so about one core is the ceiling of every row.',
    '',
  ];
}

/** The results file's markdown. */
export function markdown(report) {
  const { environment: env, parameters: p } = report;
  const pkgs = Object.entries(env.packages)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const lines = [
    `# Benchmark: ${env.date}${p.quick ? ' (quick smoke run: not for comparison)' : ''}`,
    '',
    `Node ${env.node} · ${env.cpuModel} × ${env.cores} · ${env.platform} · load average before the run ` +
      `${env.loadAverageAtStart.join(' / ')} (1/5/15 min) · ${pkgs}`,
    '',
    `Ours: the \`wrangler deploy --dry-run\` bundle under the Miniflare API (in-memory D1 and Durable Objects). ` +
      `Peer: node-oidc-provider in its own Node process (in-memory adapter). autocannon in the driving Node ` +
      `process on the same machine, ${p.connections} connections, ${p.durationSeconds} s per run after a ` +
      `${p.warmupSeconds} s warm-up (consuming scenarios: a fixed number of requests, see bench/README.md), ` +
      `${p.reps} repetition(s), scenarios alternating between the two servers. Every response had the expected ` +
      `status and body. CPU ms/req: the server processes' CPU time (/proc utime+stime: workerd for ours, the ` +
      `Node process for the peer) from the start of the run until the server is idle after it, divided by the ` +
      `requests served.`,
    '',
    ...table(report),
    '',
    `One ES256 signature (${report.signature.how}): ${fmt(report.signature.cpuMsPerSignature, 4)} ms CPU.`,
    '',
    ...coresLine(report),
    '## Targets',
    '',
    ...targetLines(report),
    '',
    '## Scenarios',
    '',
    ...report.summary.map((s) => `- \`${s.target === 'peer' ? 'peer ' : ''}${s.scenario}\`: ${s.what}`),
    '',
    'Local-emulator figures on one shared machine: compare rows of one run with each other, not with production.',
    '',
  ];
  return lines.join('\n');
}
