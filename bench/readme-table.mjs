#!/usr/bin/env node
/**
 * `node bench/readme-table.mjs [RESULTS.json] [--force]`: rewrites the benchmark table of README.md (between
 * the `<!-- bench-table:start -->` and `<!-- bench-table:end -->` markers) from a results file: by default the
 * newest complete run in bench/results/. Quick or partial runs are refused unless --force.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { table, targetLines } from './lib/report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const README = path.join(ROOT, 'README.md');
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

/** The README block for one results file. */
export function readmeBlock(report, file) {
  const env = report.environment;
  const p = report.parameters;
  return [
    START,
    '',
    `From [\`${path.relative(ROOT, file).replaceAll(path.sep, '/')}\`](${path
      .relative(ROOT, file)
      .replaceAll(path.sep, '/')
      .replace(/\.json$/, '.md')}): ` +
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

/** Rewrites the README block from `file`; returns a one-line message. */
export function updateReadme(file, { force = false } = {}) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  if (report.format !== FORMAT) throw new Error(`${file} is not a ${FORMAT} results file`);
  if (!report.parameters.complete && !force) {
    throw new Error(`${file} is a quick, partial or re-parameterised run (use --force to take it anyway)`);
  }
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} markers`);
  writeFileSync(README, readme.slice(0, start) + readmeBlock(report, file) + readme.slice(end + END.length));
  return `README.md table updated from ${path.relative(ROOT, file)}`;
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
