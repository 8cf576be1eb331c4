#!/usr/bin/env node
/**
 * `npm test [-- vitest args]`: builds the static assets, runs `vitest run` (default reporter on the terminal,
 * JSON report in .tmp/vitest-report.json) and ends with exactly one summary line computed from the JSON
 * report: `N passed, N failed` (plus `, N skipped` when some were). Counts tests, not files; a test file that
 * failed to load (or whose hooks failed) counts as one failure, and so does a vitest run that exited non-zero
 * without any failed test (unhandled error, crash). Exits non-zero when anything failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { childEnv, ROOT } from './lib/local-env.mjs';

const VITEST = path.join(ROOT, 'node_modules', '.bin', 'vitest');
const REPORT = path.join(ROOT, '.tmp', 'vitest-report.json');

function finish(passed, failed, skipped, exitCode) {
  console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  process.exit(exitCode);
}

if (!existsSync(VITEST)) {
  console.error('node_modules/.bin/vitest is missing: run `npm install` (or `npm ci`) first.');
  finish(0, 1, 0, 1);
}

const assets = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-assets.mjs')], {
  cwd: ROOT,
  stdio: 'inherit',
  env: childEnv(),
});
if (assets.status !== 0) {
  console.error('test: scripts/build-assets.mjs failed.');
  finish(0, 1, 0, 1);
}

mkdirSync(path.dirname(REPORT), { recursive: true });
rmSync(REPORT, { force: true });

const args = [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${REPORT}`,
  ...process.argv.slice(2),
];
const child = spawn(VITEST, args, { cwd: ROOT, stdio: 'inherit', env: childEnv() });

// Ctrl+C reaches vitest through the terminal; a SIGTERM sent to this script alone is passed on.
for (const signal of ['SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
process.on('SIGINT', () => {});

child.on('error', (error) => {
  console.error(`test: vitest could not start: ${error.message}`);
  finish(0, 1, 0, 1);
});

child.on('exit', (code, signal) => {
  const vitestCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1);
  let report;
  try {
    report = JSON.parse(readFileSync(REPORT, 'utf8'));
  } catch {
    console.error(`test: vitest wrote no readable JSON report (exit ${signal ?? vitestCode}).`);
    finish(0, 1, 0, vitestCode || 1);
  }

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of report.testResults ?? []) {
    let fileFailed = 0;
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed') passed += 1;
      else if (test.status === 'failed') fileFailed += 1;
      else skipped += 1; // skipped, pending, todo
    }
    // A file that failed without a failed test: it did not load, or a hook failed.
    if (file.status === 'failed' && fileFailed === 0) {
      const where = path.relative(ROOT, file.name ?? '') || 'a test file';
      console.error(`test: ${where} failed outside any test (load error or hook).`);
      fileFailed = 1;
    }
    failed += fileFailed;
  }
  if (vitestCode !== 0 && failed === 0) {
    console.error(
      `test: vitest exited with ${signal ?? `code ${vitestCode}`} (unhandled error, crash or no tests).`,
    );
    failed = 1;
  }
  finish(passed, failed, skipped, failed > 0 ? vitestCode || 1 : 0);
});
