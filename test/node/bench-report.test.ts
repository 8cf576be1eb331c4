/**
 * The benchmark's report (bench/lib/report.mjs): summaries with p99.9, the performance targets judged on the
 * medians with the spread of the per-repetition ratios, their lines, the side-by-side table, and the rendering of
 * a committed results file written before p99.9 existed (bench/readme-table.mjs). Fed hand-built runs, so every
 * ratio is known in advance.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** One run as bench/lib/load.mjs `measure` resolves it (the fields the report reads). */
interface Run {
  rep: number;
  requests: number;
  reqPerSec: number;
  latencyMs: { p50: number; p99: number; p999?: number };
  cpu: { msPerRequest: number | null; utilization: number | null };
}
interface Summary {
  target: string;
  scenario: string;
  latencyMs: { p50: number | null; p99: number | null; p999: number | null };
  cpuMsPerRequest: number | null;
}
interface Target {
  target: string;
  ratio: number | null;
  limit: number;
  kind: 'min' | 'max';
  pass: boolean | null;
  skipped?: string;
  spread: { median: number; min: number; max: number; reps: { rep: number; ratio: number }[] } | null;
}
interface ReportModule {
  summarize(target: string, name: string, what: string, runs: Run[]): Summary;
  targets(summary: Summary[], raw: Record<string, Run[]>): Target[];
  targetLines(report: { targets: Target[] }): string[];
  table(report: { summary: Summary[] }): string[];
  targetNeeds(name: string): string[];
}

/** The bench is plain ESM JS; imported by URL so it needs no .d.ts. */
const report = (await import(new URL('../../bench/lib/report.mjs', import.meta.url).href)) as ReportModule;
const load = (await import(new URL('../../bench/lib/load.mjs', import.meta.url).href)) as {
  percentile(sorted: number[], p: number): number;
};
const readmeTable = (await import(new URL('../../bench/readme-table.mjs', import.meta.url).href)) as {
  performanceBlock(results: unknown, file: string): string;
};

/** Per repetition (1, 2, 3 unless `reps` says otherwise): CPU ms/request, req/s, p99 and p99.9. */
interface Figures {
  cpu: number[];
  rps?: number[];
  p99?: number[];
  p999?: number[];
  reps?: number[];
}

function runs({ cpu, rps = [], p99 = [], p999, reps = [1, 2, 3] }: Figures): Run[] {
  return cpu.map((ms, i) => ({
    rep: reps[i] ?? i + 1,
    requests: 1000,
    reqPerSec: rps[i] ?? 1000,
    latencyMs: { p50: 1, p99: p99[i] ?? 10, ...(p999 ? { p999: p999[i] ?? 10 } : {}) },
    cpu: { msPerRequest: ms, utilization: 1 },
  }));
}

/** A run with these scenarios (keys as in a report's `raw`: the name, `peer/NAME` for the peer's). */
const RAW: Record<string, Run[]> = {
  runtime_floor: runs({ cpu: [0.3, 0.3, 0.3] }),
  health: runs({ cpu: [0.5, 0.5, 0.5], rps: [2000, 2000, 2000], p99: [10, 10, 10], p999: [12, 14, 13] }),
  'peer/health': runs({ cpu: [0.05, 0.05, 0.05] }),
  // Above the floor: ours 0.8 / 1.0 / 0.7 ms against the peer's 0.4 ms: 2.0×, 2.5×, 1.75×.
  cc_jwt: runs({ cpu: [1.1, 1.3, 1.0], rps: [1300, 1100, 1250], p99: [15, 25, 18], p999: [30, 50, 40] }),
  'peer/cc_jwt': runs({ cpu: [0.45, 0.45, 0.45], p999: [3, 4, 5] }),
  // CPU 1.0 against cc_jwt's 1.1 (medians); req/s exactly 0.6× health, p99 exactly 2× health.
  introspect_jwt: runs({ cpu: [1.0, 1.0, 1.0], rps: [1400, 1200, 1000], p99: [20, 20, 30] }),
  // The peer's second repetition is missing: the spread pairs repetitions 1 and 3 only.
  code_exchange: runs({ cpu: [5.3, 6.3, 4.3], p99: [40, 30, 50] }),
  'peer/code_exchange': runs({ cpu: [1.05, 2.05], reps: [1, 3] }),
  // The peer's userinfo costs no more than its floor: no ratio.
  userinfo: runs({ cpu: [1, 1, 1] }),
  'peer/userinfo': runs({ cpu: [0.05, 0.05, 0.05] }),
};

const summary = Object.entries(RAW).map(([label, list]) => {
  const [target, name] = label.startsWith('peer/') ? ['peer', label.slice(5)] : ['ours', label];
  return report.summarize(target, name, `${name} as built by hand`, list);
});
const judged = report.targets(summary, RAW);
const byName = (start: string) => {
  const found = judged.find((t) => t.target.startsWith(start));
  if (!found) throw new Error(`no target ${start}`);
  return found;
};

describe('benchmark targets', () => {
  it('lists the current targets in order', () => {
    expect(judged.map((t) => t.target)).toEqual([
      "cc_jwt CPU/request above the floor <= 1.0x the peer's (ours - runtime_floor vs peer - peer health)",
      'introspect_jwt CPU/request <= 1.0x cc_jwt CPU/request',
      "cc_opaque CPU/request above the floor <= 2.0x the peer's (ours - runtime_floor vs peer - peer health)",
      "refresh_rotate CPU/request above the floor <= 1.5x the peer's (ours - runtime_floor vs peer - peer health)",
      "code_exchange CPU/request above the floor <= 1.5x the peer's (ours - runtime_floor vs peer - peer health)",
      "userinfo CPU/request above the floor <= 1.5x the peer's (ours - runtime_floor vs peer - peer health)",
      'cc_jwt p99 <= 2.0x health p99',
      'introspect_jwt p99 <= 2.0x health p99',
      'code_exchange p99 <= 2.0x health p99',
      'cc_jwt >= 0.6x health (req/s)',
      'introspect_jwt >= 0.6x health (req/s)',
      'cc_opaque >= 0.4x health (req/s)',
    ]);
  });

  it('judges CPU above each side’s floor on the medians, with the per-repetition spread', () => {
    const t = byName('cc_jwt CPU/request above');
    expect(t).toMatchObject({ ratio: 2, limit: 1, kind: 'max', pass: false });
    expect(t.spread).toEqual({
      median: 2,
      min: 1.75,
      max: 2.5,
      reps: [
        { rep: 1, ratio: 2 },
        { rep: 2, ratio: 2.5 },
        { rep: 3, ratio: 1.75 },
      ],
    });
  });

  it('pairs repetition i with repetition i, leaving out a repetition a side did not run', () => {
    const t = byName('code_exchange CPU/request above');
    // Medians: ours 5.3 − 0.3 = 5.0 ms against the peer's 1.55 − 0.05 = 1.5 ms.
    expect(t).toMatchObject({ ratio: 3.333, pass: false });
    expect(t.spread?.reps).toEqual([
      { rep: 1, ratio: 5 },
      { rep: 3, ratio: 2 },
    ]);
    expect(t.spread).toMatchObject({ median: 3.5, min: 2, max: 5 });
  });

  it('passes a ratio that sits exactly on its limit, from either side', () => {
    expect(byName('introspect_jwt CPU/request')).toMatchObject({ ratio: 0.909, pass: true });
    expect(byName('introspect_jwt p99')).toMatchObject({ ratio: 2, pass: true });
    expect(byName('introspect_jwt >= 0.6x')).toMatchObject({ ratio: 0.6, kind: 'min', pass: true });
    expect(byName('cc_jwt >= 0.6x')).toMatchObject({ ratio: 0.625, pass: true });
    expect(byName('cc_jwt >= 0.6x').spread).toMatchObject({ median: 0.625, min: 0.55, max: 0.65 });
  });

  it('misses the tail target when p99 is more than twice the bare route’s', () => {
    expect(byName('code_exchange p99')).toMatchObject({ ratio: 4, pass: false });
    expect(byName('cc_jwt p99')).toMatchObject({ ratio: 1.8, pass: true });
  });

  it('skips a target whose scenarios did not run, or whose peer costs nothing above its floor', () => {
    for (const start of ['cc_opaque CPU', 'refresh_rotate', 'cc_opaque >=']) {
      expect(byName(start)).toMatchObject({ ratio: null, pass: null, spread: null });
    }
    expect(byName('userinfo')).toMatchObject({ pass: null });
    expect(byName('userinfo').skipped).toMatch(/peer's CPU above its floor is 0\.000 ms/);
  });

  it('writes one line per target: verdict, ratio, spread, limit, by how much, the figures', () => {
    const lines = report.targetLines({ targets: judged });
    expect(lines[0]).toBe(
      "- cc_jwt CPU/request above the floor <= 1.0x the peer's (ours - runtime_floor vs peer - peer health): " +
        '**MISS** 2.00× (reps median 2.00×, 1.75–2.50×; limit 1.0×, 100 % over) ' +
        '(ours 1.100 − floor 0.300 = 0.800 ms; peer 0.450 − floor 0.050 = 0.400 ms)',
    );
    expect(lines[1]).toBe(
      '- introspect_jwt CPU/request <= 1.0x cc_jwt CPU/request: **PASS** 0.91× ' +
        '(reps median 0.91×, 0.77–1.00×; limit 1.0×) (introspect_jwt 1.000 vs cc_jwt 1.100 ms CPU/request)',
    );
    expect(lines[2]).toMatch(/^- cc_opaque CPU\/request .*: skipped \(a scenario it needs did not run\)$/);
    expect(lines[8]).toBe(
      '- code_exchange p99 <= 2.0x health p99: **MISS** 4.00× (reps median 4.00×, 3.00–5.00×; limit 2.0×, ' +
        '100 % over) (code_exchange 40.00 vs health 10.00 ms p99)',
    );
    expect(lines[9]).toBe(
      '- cc_jwt >= 0.6x health (req/s): **PASS** 0.63× (reps median 0.63×, 0.55–0.65×; limit 0.6×) ' +
        '(cc_jwt 1250.0 vs health 2000.0 req/s)',
    );
  });

  it('names what the targets of a scenario compare it with, for --only', () => {
    expect(report.targetNeeds('cc_opaque').sort()).toEqual([
      'ours/health',
      'ours/runtime_floor',
      'peer/health',
    ]);
    expect(report.targetNeeds('introspect_jwt').sort()).toEqual(['ours/cc_jwt', 'ours/health']);
    expect(report.targetNeeds('health')).toEqual([]);
  });
});

describe('benchmark p99.9', () => {
  it('is the nearest-rank 99.9th percentile', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(load.percentile(sorted, 99.9)).toBe(999);
    expect(load.percentile(sorted, 99)).toBe(990);
    expect(load.percentile([7], 99.9)).toBe(7);
  });

  it('is summarised as the median over repetitions, and missing in older runs', () => {
    const cc = summary.find((s) => s.target === 'ours' && s.scenario === 'cc_jwt');
    expect(cc?.latencyMs).toMatchObject({ p99: 18, p999: 40 });
    const floor = summary.find((s) => s.scenario === 'runtime_floor');
    expect(floor?.latencyMs.p999).toBeNull();
  });

  it('has a column after p99 in the table, for ours and the peer', () => {
    const [header, , ...rows] = report.table({ summary });
    const cells = (line = '') => line.split('|').map((cell) => cell.trim());
    const head = cells(header);
    expect(head.indexOf('p99.9 ms')).toBe(head.indexOf('p99 ms') + 1);
    expect(head.indexOf('peer p99.9 ms')).toBe(head.indexOf('peer p99 ms') + 1);
    const row = (name: string) => cells(rows.find((r) => r.includes(`\`${name}\``)));
    expect(row('cc_jwt')[head.indexOf('p99.9 ms')]).toBe('40.00');
    expect(row('cc_jwt')[head.indexOf('peer p99.9 ms')]).toBe('4.00');
    expect(row('runtime_floor')[head.indexOf('p99.9 ms')]).toBe('–');
  });

  it('renders a committed results file written before p99.9 and the current targets', () => {
    const file = path.join(import.meta.dirname, '..', '..', 'bench', 'results', '2026-12-07T15-47Z.json');
    const results = JSON.parse(readFileSync(file, 'utf8'));
    const block = readmeTable.performanceBlock(results, file);
    expect(block).toContain('| p99.9 ms |');
    expect(block).toMatch(
      /\| `cc_jwt` +\| +1042\.9 \(966\.5–1120\.5\) \| +0\.51 \| +6\.66 \| +84\.53 \| +– \|/,
    );
    expect(block).toContain('- cc_jwt >= 0.8x peer cc_jwt (req/s): **MISS** 0.41× (limit 0.8×, 49 % short)');
    // Judged again from its medians and runs, the same file gives the current targets with their spread.
    const current = report.targetLines({ targets: report.targets(results.summary, results.raw) });
    expect(current[0]).toMatch(
      /\*\*MISS\*\* 1\.74× \(reps median 1\.74×, 1\.38–2\.00×; limit 1\.0×, 74 % over\)/,
    );
  });
});
