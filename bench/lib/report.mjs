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
      p999: round(median(runs.map((r) => r.latencyMs.p999 ?? null))),
    },
    cpuMsPerRequest: round(median(runs.map((r) => r.cpu.msPerRequest)), 3),
    /** Cores the server kept busy: its CPU time (run + drain) over the run's wall time. */
    cpuCores: round(median(runs.map((r) => r.cpu.utilization ?? null)), 2),
    requests: runs.reduce((sum, r) => sum + r.requests, 0),
  };
}

/**
 * The figures a target compares, read from a summary row (the median over repetitions) or from one run, with
 * how they are shown.
 */
const FIGURES = {
  cpu: {
    unit: 'ms CPU/request',
    digits: 3,
    summary: (s) => s.cpuMsPerRequest,
    run: (r) => r.cpu?.msPerRequest,
  },
  p99: { unit: 'ms p99', digits: 2, summary: (s) => s.latencyMs?.p99, run: (r) => r.latencyMs?.p99 },
  rps: { unit: 'req/s', digits: 1, summary: (s) => s.reqPerSec?.median, run: (r) => r.reqPerSec },
};

/** Each side's floor: its runtime's cost of a request that runs no code of the server. */
const FLOORS = { ours: 'runtime_floor', peer: 'health' };

/**
 * "Ours ≤ limit × the peer's CPU per request above the floor": each side's CPU/request minus its own floor's
 * (ours: `runtime_floor`, a Worker running no code under the same emulator; the peer: `health`, a bare Node http
 * route in the same process), so neither side is charged for its runtime's per-request cost (workerd +
 * Miniflare's loopback vs Node's http).
 */
function aboveFloor(name, limit) {
  return {
    target: `${name} CPU/request above the floor <= ${limit.toFixed(1)}x the peer's (ours - runtime_floor vs peer - peer health)`,
    subject: name,
    kind: 'max',
    limit,
    needs: [
      ['ours', name],
      ['ours', FLOORS.ours],
      ['peer', name],
      ['peer', FLOORS.peer],
    ],
    compare(get) {
      const ours = get('ours', name, 'cpu');
      const oursFloor = get('ours', FLOORS.ours, 'cpu');
      const peer = get('peer', name, 'cpu');
      const peerFloor = get('peer', FLOORS.peer, 'cpu');
      const oursAbove = ours === null || oursFloor === null ? null : ours - oursFloor;
      const peerAbove = peer === null || peerFloor === null ? null : peer - peerFloor;
      return {
        numerator: oursAbove,
        denominator: peerAbove,
        noRatio: `the peer's CPU above its floor is ${fmt(peerAbove, 3)} ms: no ratio`,
        aboveFloor: {
          oursCpuMs: ours,
          oursFloorCpuMs: oursFloor,
          oursAboveMs: round(oursAbove, 3),
          peerCpuMs: peer,
          peerFloorCpuMs: peerFloor,
          peerAboveMs: round(peerAbove, 3),
        },
      };
    },
  };
}

/** "Our scenario `a`'s figure against our scenario `b`'s": at most (`max`) or at least (`min`) `limit` times. */
function ratioOf(target, a, b, figure, kind, limit) {
  return {
    target,
    subject: a,
    kind,
    limit,
    needs: [
      ['ours', a],
      ['ours', b],
    ],
    compare(get) {
      const numerator = get('ours', a, figure);
      const denominator = get('ours', b, figure);
      return {
        numerator,
        denominator,
        noRatio: `${b}'s ${FIGURES[figure].unit} is ${fmt(denominator, FIGURES[figure].digits)}: no ratio`,
        compared: { figure, a: { scenario: a, value: numerator }, b: { scenario: b, value: denominator } },
      };
    },
  };
}

/**
 * The performance targets, in the order they are reported: CPU above the floor (the token endpoint and
 * introspection), the user flows' CPU above the floor, the tail, the throughput. All ratios are within one run.
 */
const TARGETS = [
  aboveFloor('cc_jwt', 1),
  ratioOf(
    'introspect_jwt CPU/request <= 1.0x cc_jwt CPU/request',
    'introspect_jwt',
    'cc_jwt',
    'cpu',
    'max',
    1,
  ),
  aboveFloor('cc_opaque', 2),
  ...['refresh_rotate', 'code_exchange', 'userinfo'].map((name) => aboveFloor(name, 1.5)),
  ...['cc_jwt', 'introspect_jwt', 'code_exchange'].map((name) =>
    ratioOf(`${name} p99 <= 2.0x health p99`, name, 'health', 'p99', 'max', 2),
  ),
  ratioOf('cc_jwt >= 0.6x health (req/s)', 'cc_jwt', 'health', 'rps', 'min', 0.6),
  ratioOf('introspect_jwt >= 0.6x health (req/s)', 'introspect_jwt', 'health', 'rps', 'min', 0.6),
  ratioOf('cc_opaque >= 0.4x health (req/s)', 'cc_opaque', 'health', 'rps', 'min', 0.4),
];

/** The key of a scenario's runs in a report's `raw` (bench/run.mjs): the name, `peer/` before the peer's. */
const rawLabel = (target, scenario) => `${target === 'peer' ? 'peer/' : ''}${scenario}`;

/**
 * The scenarios (`ours/NAME`, `peer/NAME`) that the targets judging scenario `name` compare it with, so that
 * `--only NAME` also runs them (its floors, the bare route, the peer's).
 */
export function targetNeeds(name) {
  const needs = TARGETS.filter((t) => t.subject === name).flatMap((t) => t.needs);
  return [...new Set(needs.map(([target, scenario]) => `${target}/${scenario}`))].filter(
    (item) => item !== `ours/${name}` && item !== `peer/${name}`,
  );
}

const ratioOrNull = ({ numerator, denominator }) =>
  numerator === null || denominator === null || denominator <= 0 ? null : numerator / denominator;

/** The ratio of `spec` in each repetition that ran every scenario it needs (run i of each against run i). */
function perRepetition(spec, raw) {
  const runsOf = (target, scenario) => raw?.[rawLabel(target, scenario)] ?? [];
  const repOf = (run, index) => run.rep ?? index + 1;
  const reps = new Set(spec.needs.flatMap(([target, scenario]) => runsOf(target, scenario).map(repOf)));
  const ratios = [];
  for (const rep of [...reps].sort((a, b) => a - b)) {
    const get = (target, scenario, figure) => {
      const run = runsOf(target, scenario).find((r, i) => repOf(r, i) === rep);
      return run ? (FIGURES[figure].run(run) ?? null) : null;
    };
    const ratio = ratioOrNull(spec.compare(get));
    if (ratio !== null) ratios.push({ rep, ratio: round(ratio, 3) });
  }
  return ratios;
}

/**
 * The performance targets, each `{ target, ratio, limit, kind, pass, spread }`. `ratio` comes from the medians
 * over repetitions and decides `pass` (`max`: at or under `limit`; `min`: at or above it); `spread` is the same
 * ratio per repetition (`raw`: the runs by label, as in the report) with its median, min and max. `pass` is
 * null (skipped) when a scenario it needs did not run.
 */
export function targets(summary, raw) {
  const find = (target, scenario) => summary.find((s) => s.target === target && s.scenario === scenario);
  const fromMedians = (target, scenario, figure) => {
    const row = find(target, scenario);
    return row ? (FIGURES[figure].summary(row) ?? null) : null;
  };
  return TARGETS.map((spec) => {
    const { numerator, denominator, noRatio, ...detail } = spec.compare(fromMedians);
    const ratio = round(ratioOrNull({ numerator, denominator }), 3);
    const reps = perRepetition(spec, raw);
    const values = reps.map((r) => r.ratio);
    return {
      target: spec.target,
      ratio,
      limit: spec.limit,
      kind: spec.kind,
      pass: ratio === null ? null : spec.kind === 'max' ? ratio <= spec.limit : ratio >= spec.limit,
      ...(ratio === null && numerator !== null && denominator !== null ? { skipped: noRatio } : {}),
      spread:
        values.length === 0
          ? null
          : { median: round(median(values), 3), min: Math.min(...values), max: Math.max(...values), reps },
      ...detail,
    };
  });
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
        fmt(s.latencyMs.p999, 2),
        fmt(s.cpuMsPerRequest, 3),
      );
    } else {
      cells.push('–', '–', '–', '–', '–', '–');
    }
    if (p) {
      cells.push(
        `${fmt(p.reqPerSec.median)} (${fmt(p.reqPerSec.min)}–${fmt(p.reqPerSec.max)})`,
        fmt(p.latencyMs.p50, 2),
        fmt(p.latencyMs.p99, 2),
        fmt(p.latencyMs.p999, 2),
        fmt(p.cpuMsPerRequest, 3),
      );
    } else {
      cells.push('–', '–', '–', '–', '–');
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
      'p99.9 ms',
      'CPU ms/req',
      'peer req/s (min–max)',
      'peer p50 ms',
      'peer p99 ms',
      'peer p99.9 ms',
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

/** The per-repetition ratios of a target: their median and min–max (one repetition: its ratio). */
function spreadText(spread) {
  if (spread.reps.length === 1) return `rep ${fmt(spread.min, 2)}×`;
  return `reps median ${fmt(spread.median, 2)}×, ${fmt(spread.min, 2)}–${fmt(spread.max, 2)}×`;
}

/** The figures behind a target's ratio (older results files carry `detail` and `floor` of earlier targets). */
function figuresText(t) {
  const parts = [];
  if (t.compared) {
    const { unit, digits } = FIGURES[t.compared.figure];
    parts.push(
      `${t.compared.a.scenario} ${fmt(t.compared.a.value, digits)} vs ${t.compared.b.scenario} ` +
        `${fmt(t.compared.b.value, digits)} ${unit}`,
    );
  }
  const a = t.aboveFloor;
  if (a) {
    parts.push(
      `ours ${fmt(a.oursCpuMs, 3)} − floor ${fmt(a.oursFloorCpuMs, 3)} = ${fmt(a.oursAboveMs, 3)} ms; ` +
        `peer ${fmt(a.peerCpuMs, 3)} − floor ${fmt(a.peerFloorCpuMs, 3)} = ${fmt(a.peerAboveMs, 3)} ms`,
    );
  }
  if (t.detail) {
    parts.push(
      `cc_jwt ${fmt(t.detail.ccJwtCpuMs, 3)} ms vs health ${fmt(t.detail.healthCpuMs, 3)} ms + signature ` +
        `${fmt(t.detail.signatureCpuMs, 3)} ms`,
    );
  }
  if (t.floor) {
    parts.push(
      `the emulator floor, a Worker running no code of ours, serves ${fmt(t.floor.floorRps)} req/s at ` +
        `${fmt(t.floor.floorCpuMs, 3)} ms CPU; 0.8× the peer is ${fmt(t.floor.neededRps)} req/s, which on ` +
        `workerd's one busy thread leaves about ${fmt(1000 / t.floor.neededRps - t.floor.floorCpuMs, 3)} ms CPU ` +
        `above that floor for everything a token request does; our bare route alone uses ` +
        `${fmt((t.floor.healthCpuMs ?? Number.NaN) - t.floor.floorCpuMs, 3)} ms above it`,
    );
  }
  return parts.map((part) => ` (${part})`).join('');
}

/**
 * One line per target: PASS / MISS with the ratio of the medians, the spread of the per-repetition ratios, the
 * limit (and by how much a miss misses) and the figures compared.
 */
export function targetLines(report) {
  return report.targets.map((t) => {
    if (t.pass === null) return `- ${t.target}: skipped (${t.skipped ?? 'a scenario it needs did not run'})`;
    const verdict = t.pass ? '**PASS**' : '**MISS**';
    const by = t.pass
      ? ''
      : t.kind === 'min'
        ? `, ${fmt((1 - t.ratio / t.limit) * 100, 0)} % short`
        : `, ${fmt((t.ratio / t.limit - 1) * 100, 0)} % over`;
    const spread = t.spread ? `${spreadText(t.spread)}; ` : '';
    return `- ${t.target}: ${verdict} ${fmt(t.ratio, 2)}× (${spread}limit ${fmt(t.limit, 1)}×${by})${figuresText(t)}`;
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
