/**
 * The one way this server sends a request: the URL judged by the outbound policy first, then a per-host
 * circuit breaker, a deadline over the whole exchange, redirects never followed (a 3xx is a failure:
 * following one would reach a URL nobody checked), and the answer read into memory up to a size cap.
 * Metrics: `http_client_requests_total{target,status}` (status 0: not answered) and
 * `http_client_request_duration_seconds{target}`.
 */
import { systemClock } from '../clock';
import type { MetricsRegistry } from '../observability/metrics';
import { readCappedBytes } from '../resilience/capped-body';
import type { CircuitBreaker } from '../resilience/circuit-breaker';
import { type OutboundPolicy, outboundUrlProblem } from './policy';

/** Why a request got no usable answer. */
export type OutboundFailure =
  | 'refused'
  | 'circuit_open'
  | 'timeout'
  | 'unreachable'
  | 'redirect'
  | 'too_large';

/** A request that got no usable answer. The message names the host only (URLs may carry tokens). */
export class OutboundError extends Error {
  constructor(
    readonly failure: OutboundFailure,
    readonly host: string,
    detail: string,
  ) {
    super(`${host} ${detail}`);
    this.name = 'OutboundError';
  }
}

export interface OutboundOptions {
  /** What the calls are for, as the `target` label of the metrics (`webhook`, `upstream_google`, ...). */
  target: string;
  policy: OutboundPolicy;
  timeoutMs: number;
  /** Longest answer body read; a longer one is `too_large`. 0: the body is discarded unread. */
  maxBytes: number;
  /** This isolate's breaker for a host (`host:port`); none when absent or null. */
  breaker?: ((host: string) => CircuitBreaker | null | undefined) | undefined;
  metrics?: MetricsRegistry | undefined;
  nowMs?: (() => number) | undefined;
  fetch?: typeof fetch | undefined;
}

export interface OutboundRequest {
  method?: 'GET' | 'POST';
  headers?: HeadersInit;
  body?: string;
}

export interface OutboundResponse {
  status: number;
  headers: Headers;
  /** At most `maxBytes` bytes. */
  body: Uint8Array;
}

/**
 * Sends `request` to `url` and reads the answer, whatever its status but 3xx. A 5xx, a timeout and a
 * network error count against the host's breaker. Throws OutboundError when there is no usable answer.
 */
export async function outboundFetch(
  url: string,
  request: OutboundRequest,
  options: OutboundOptions,
): Promise<OutboundResponse> {
  const problem = outboundUrlProblem(url, options.policy);
  const host = URL.parse(url)?.host ?? 'invalid-url';
  if (problem !== null) throw new OutboundError('refused', host, `not fetched: the URL ${problem}`);
  const breaker = options.breaker?.(host) ?? null;
  const permit = breaker?.tryAcquire() ?? null;
  if (breaker !== null && permit === null) throw new OutboundError('circuit_open', host, 'circuit open');
  const nowMs = options.nowMs ?? systemClock.nowMs;
  const started = nowMs();
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const unanswered = () =>
    deadline.aborted
      ? new OutboundError('timeout', host, `timed out after ${options.timeoutMs} ms`)
      : new OutboundError('unreachable', host, 'unreachable');
  let status = 0;
  try {
    const send = options.fetch ?? ((input, init) => fetch(input, init));
    let response: Response;
    try {
      response = await send(url, { ...request, redirect: 'manual', signal: deadline });
    } catch {
      permit?.failure();
      throw unanswered();
    }
    status = response.status;
    if (status >= 500) permit?.failure();
    else permit?.success();
    if (status >= 300 && status < 400) {
      await response.body?.cancel().catch(() => {});
      throw new OutboundError('redirect', host, `answered ${status}: redirects are not followed`);
    }
    const body = await readBody(response, options.maxBytes).catch(() => {
      throw unanswered();
    });
    if (body === null) {
      throw new OutboundError(
        'too_large',
        host,
        `answered a body too large (over ${options.maxBytes} bytes)`,
      );
    }
    return { status, headers: response.headers, body };
  } finally {
    options.metrics?.inc('http_client_requests_total', { target: options.target, status });
    options.metrics?.observe(
      'http_client_request_duration_seconds',
      { target: options.target },
      (nowMs() - started) / 1000,
    );
  }
}

async function readBody(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  if (maxBytes === 0) {
    await response.body?.cancel();
    return new Uint8Array(0);
  }
  return readCappedBytes(response.body, response.headers.get('content-length'), maxBytes);
}
