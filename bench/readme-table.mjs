#!/usr/bin/env node
/**
 * `node bench/readme-table.mjs [RESULTS.json] [--force]`: rewrites the benchmark figures from a results file (by
 * default the newest complete run in bench/results/), between the `<!-- bench-table:start -->` and
 * `<!-- bench-table:end -->` markers of two files: the full table, with the targets, in docs/performance.md, and
 * a one-paragraph summary linking to it in README.md. Quick or partial runs are refused unless --force.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table, targetLines } from './lib/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const README = path.join(ROOT, 'README.md');
const PERFORMANCE = path.join(ROOT, 'docs', 'performance.md');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';
const FORMAT = 'edge-oauth2-bench/2';

/** The newest complete results file of this format in bench/results/, or null. */
export function newestResults() {
  let newest = null;
  for (const file of readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'))) {
    const full = path.join(RESULTS_DIR, file);
    let report;
    try {
      report = JSON.parse(readFileSync(full, 'utf8'));
    } catch {
      continue;
    }
    if (report.format !== FORMAT || !report.parameters?.complete) continue;
    if (!newest || report.environment.date > newest.date)
      newest = { file: full, date: report.environment.date };
  }
  return newest?.file ?? null;
}

/** `file` as a markdown link target from the directory of `from` (forward slashes). */
const linkFrom = (from, file) => path.relative(path.dirname(from), file).replaceAll(path.sep, '/');

/** The full block of docs/performance.md for one results file: the table and the targets. */
export function performanceBlock(report, file) {
  const env = report.environment;
  const p = report.parameters;
  return [
    START,
    '',
    `From [\`${path.relative(ROOT, file).replaceAll(path.sep, '/')}\`](${linkFrom(PERFORMANCE, file).replace(/\.json$/, '.md')}): ` +
      `${env.date.slice(0, 10)}, Node ${env.node}, ${env.cpuModel} × ${env.cores}, load average before the run ` +
      `${env.loadAverageAtStart[0]}; ${p.reps} × ${p.durationSeconds} s runs, ${p.connections} connections; ` +
      `every response as expected. Peer: node-oidc-provider ${env.packages['oidc-provider']}.`,
    '',
    ...table(report),
    '',
    `One ES256 signature (WebCrypto in Node): ${report.signature.cpuMsPerSignature.toFixed(4)} ms CPU.`,
    '',
    ...targetLines(report),
    '',
    END,
  ].join('\n');
}

/** The short block of README.md for one results file: a few figures and a link to the full table. */
export function readmeBlock(report, file) {
  const env = report.environment;
  const ours = (scenario) => report.summary.find((s) => s.target === 'ours' && s.scenario === scenario);
  const health = ours('health');
  const cc = ours('cc_jwt');
  const intro = ours('introspect_jwt');
  const figures = [];
  if (cc) {
    const ratio = health
      ? `, ${(cc.reqPerSec.median / health.reqPerSec.median).toFixed(2)}× the bare route`
      : '';
    figures.push(
      `a JWT \`client_credentials\` token ${cc.reqPerSec.median.toFixed(1)} req/s${ratio} ` +
        `(p50 ${cc.latencyMs.p50.toFixed(2)} ms, ${cc.cpuMsPerRequest.toFixed(3)} ms CPU per request)`,
    );
  }
  if (intro) figures.push(`its introspection ${intro.reqPerSec.median.toFixed(1)} req/s`);
  const judged = report.targets.filter((t) => t.pass !== null);
  const met = judged.filter((t) => t.pass).length;
  const results = path
    .relative(ROOT, file)
    .replaceAll(path.sep, '/')
    .replace(/\.json$/, '.md');
  return [
    START,
    '',
    `Newest complete run ([\`${results}\`](${results}), ${env.date.slice(0, 10)}, the local emulator on one ` +
      `machine): ${figures.length ? `${figures.join('; ')}; ` : ''}${met} of ${judged.length} performance targets ` +
      `met. Every scenario, the comparison with node-oidc-provider and the targets: ` +
      '[docs/performance.md](docs/performance.md#latest-results).',
    '',
    END,
  ].join('\n');
}

/** Replaces the marked block of `target` with `block`. */
function replaceBlock(target, block) {
  const text = readFileSync(target, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(`${path.relative(ROOT, target)} has no ${START} … ${END} markers`);
  }
  writeFileSync(target, text.slice(0, start) + block + text.slice(end + END.length));
}

/** Rewrites the blocks of docs/performance.md and README.md from `file`; returns a one-line message. */
export function updateReadme(file, { force = false } = {}) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (report.format !== FORMAT) throw new Error(`${file} is not a ${FORMAT} results file`);
  if (!report.parameters.complete && !force) {
    throw new Error(`${file} is a quick, partial or re-parameterised run (use --force to take it anyway)`);
  }
  replaceBlock(PERFORMANCE, performanceBlock(report, file));
  replaceBlock(README, readmeBlock(report, file));
  return `docs/performance.md table and README.md summary updated from ${path.relative(ROOT, file)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const file = args.find((a) => !a.startsWith('--')) ?? newestResults();
  if (!file) {
    console.error('readme-table: no complete results file in bench/results/ (run `npm run bench` first)');
    process.exit(1);
  }
  try {
    console.log(updateReadme(path.resolve(file), { force }));
  } catch (error) {
    console.error(`readme-table: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
