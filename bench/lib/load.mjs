/**
 * One measured run of one scenario with autocannon, plus the CPU its server's processes spent meanwhile.
 *
 * A scenario is `{ name, target, request, expectStatus?, verifyBody?, verifyHeaders?, next?, onResponse?,
 * pool? }`:
 * - `request`: autocannon's url/method/headers/body (the fixed part).
 * - `next(context)`: optional, the body of each request (codes, tokens: one item per request); returning
 *   undefined means the pool is dry, which counts as a failure.
 * - `onResponse(status, body, context)`: optional, sees each answer (e.g. to chain refresh tokens).
 * - `expectStatus` (default 200) and `verifyBody(body)` / `verifyHeaders(headers)`: every answer must pass,
 *   or the run fails.
 * Runs are duration-bound, or amount-bound (`amount`) for scenarios that consume an item per request.
 */
import autocannon from 'autocannon';
import { cpuMsOf, cpuResolutionMs } from './cpu.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until `pids` are idle: at least `minMs`, then until a 200 ms window in which they used at most one
 * clock tick of CPU (or `maxMs` passed). Ours needs `minMs` of at least the queue consumer's batch timeout,
 * so the events of the requests just served are consumed before the reading.
 */
export async function waitIdle(pids, { minMs = 0, maxMs = 8000 } = {}) {
  const started = Date.now();
  if (minMs > 0) await sleep(minMs);
  let last = cpuMsOf(pids);
  while (last !== null && Date.now() - started < maxMs) {
    await sleep(200);
    const now = cpuMsOf(pids);
    if (now === null || now - last <= cpuResolutionMs()) return;
    last = now;
  }
}

/**
 * Nearest-rank percentile of an ascending array. The rank is p × n / 100 rounded up, less a hair of slack: in
 * floating point 99.9 × 1000 / 100 lands just above 999, which would pick the maximum.
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p * sorted.length) / 100 - 1e-9);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export const round = (n, digits = 2) =>
  n === null || Number.isNaN(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

/** Response headers with lower-case names; repeated ones (Set-Cookie) joined with newlines. */
function lowerCased(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const key = name.toLowerCase();
    const text = Array.isArray(value) ? value.join('\n') : String(value);
    out[key] = out[key] === undefined ? text : `${out[key]}\n${text}`;
  }
  return out;
}

/**
 * Runs `scenario` for `duration` seconds (or `amount` requests) over `connections` connections while
 * reading the CPU time of `pids`. The CPU window is the run plus the drain after it (`drain`: waitIdle
 * options), so the after-response work of its requests (events consumed from the queue) is counted.
 * Resolves with the figures and every failure; never rejects for a bad answer.
 */
export function measure(scenario, { duration, amount, connections, pids, drain, requireAnswers = true }) {
  const expected = scenario.expectStatus ?? 200;
  /** Latencies (ms, hrtime) of the answers with the expected status. */
  const times = [];
  const bad = { status: {}, body: 0, headers: 0, dry: 0 };
  let lastBadBody;
  const dynamic = Boolean(scenario.next || scenario.onResponse || scenario.verifyHeaders);

  const requests = dynamic
    ? [
        {
          setupRequest(req, context) {
            if (!scenario.next) return req;
            const body = scenario.next(context);
            if (body === undefined) {
              bad.dry += 1;
              return req; // a request without a fresh item: the server's error answer shows up as a failure
            }
            return { ...req, body };
          },
          onResponse(status, body, context, headers) {
            if (
              status === expected &&
              scenario.verifyHeaders &&
              !scenario.verifyHeaders(lowerCased(headers))
            ) {
              bad.headers += 1;
            }
            scenario.onResponse?.(status, body, context);
          },
        },
      ]
    : undefined;

  return new Promise((resolve, reject) => {
    const cpuStart = cpuMsOf(pids);
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        ...scenario.request,
        ...(requests ? { requests } : {}),
        connections,
        ...(amount ? { amount } : { duration }),
        pipelining: 1,
        timeout: 10,
        verifyBody: (body) => {
          if (scenario.verifyBody && !scenario.verifyBody(body)) {
            lastBadBody = body;
            return false;
          }
          return true;
        },
      },
      async (err, result) => {
        if (err) {
          reject(err);
          return;
        }
        const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
        if (drain) await waitIdle(pids, drain);
        const cpuEnd = cpuMsOf(pids);
        times.sort((a, b) => a - b);
        const statusCodes = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]),
        );
        const answered = Object.values(statusCodes).reduce((sum, n) => sum + n, 0);
        const ok = statusCodes[String(expected)] ?? 0;
        const failures = {
          unexpectedStatus: answered - ok,
          statusCodes,
          mismatchedBodies: result.mismatches,
          mismatchedHeaders: bad.headers,
          poolDry: bad.dry,
          errors: result.errors,
          timeouts: result.timeouts,
          ...(lastBadBody !== undefined ? { sampleBody: String(lastBadBody).slice(0, 300) } : {}),
        };
        // A measured run that got no answer at all measured nothing: a failure too (a warm-up may be too short).
        if (ok === 0 && requireAnswers) failures.noAnswer = true;
        const failed =
          (ok === 0 && requireAnswers) ||
          failures.unexpectedStatus +
            failures.mismatchedBodies +
            failures.mismatchedHeaders +
            failures.poolDry +
            failures.errors >
            0;
        const cpuMs = cpuStart === null || cpuEnd === null ? null : cpuEnd - cpuStart;
        resolve({
          requests: answered,
          elapsedSeconds: round(elapsedSec, 3),
          reqPerSec: round(ok / elapsedSec, 1),
          latencyMs: {
            mean: round(times.reduce((sum, t) => sum + t, 0) / times.length, 3),
            p50: round(percentile(times, 50), 3),
            p90: round(percentile(times, 90), 3),
            p99: round(percentile(times, 99), 3),
            p999: round(percentile(times, 99.9), 3),
            max: round(times[times.length - 1] ?? Number.NaN, 3),
          },
          cpu: {
            ms: round(cpuMs, 1),
            msPerRequest: cpuMs === null || answered === 0 ? null : round(cpuMs / answered, 4),
            utilization: cpuMs === null ? null : round(cpuMs / 1000 / elapsedSec, 3),
          },
          failures,
          failed,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === expected) times.push(responseTime);
    });
  });
}
