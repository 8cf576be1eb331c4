/**
 * Calls to an upstream provider: each through a deadline and the provider's circuit breaker
 * (src/resilience), with a child `traceparent`, no redirects followed, bounded bodies, and metrics
 * (`http_client_*{target="upstream_<id>"}`). Failures become UpstreamSignInError (`unavailable` for
 * timeouts, network errors, 5xx and an open breaker; `failed` for anything else unexpected).
 */

import { isolateMetrics } from '../../observability/metrics';
import { childTraceparent } from '../../observability/traceparent';
import { type CircuitBreaker, CircuitOpenError, resilientFetch } from '../../resilience';
import { readCappedBytes } from '../../resilience/capped-body';
import { UpstreamSignInError } from './errors';

/** No provider document, key set or token response is anywhere near this. */
const MAX_BODY_BYTES = 512 * 1024;
export const USER_AGENT = 'edge-oauth2-server-upstream/1';

export interface UpstreamHttpOptions {
  /** Provider id, for metrics and log details. */
  target: string;
  timeoutMs: number;
  breaker: CircuitBreaker | null;
  /** The traceparent of the request on whose behalf the calls are made. */
  traceparent: string | null;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface UpstreamResponse {
  status: number;
  /** Parsed JSON body; undefined when the body was not JSON. */
  json: unknown;
}

export interface UpstreamHttp {
  /** GET expecting JSON; non-2xx answers are returned, not thrown. */
  get(url: string, headers?: Record<string, string>): Promise<UpstreamResponse>;
  /** POST of an application/x-www-form-urlencoded body expecting JSON. */
  postForm(url: string, body: URLSearchParams, headers?: Record<string, string>): Promise<UpstreamResponse>;
}

export function upstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  const send = resilientFetch({
    timeoutMs: options.timeoutMs,
    breaker: options.breaker,
    fetch: options.fetch,
  });
  const now = options.now ?? Date.now;
  const metricTarget = `upstream_${options.target}`;

  async function call(url: string, init: RequestInit): Promise<UpstreamResponse> {
    const headers = new Headers(init.headers);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    headers.set('User-Agent', USER_AGENT);
    headers.set('traceparent', childTraceparent(options.traceparent));
    const started = now();
    let status = 0;
    try {
      const res = await send(url, { ...init, headers, redirect: 'manual' });
      status = res.status;
      if (status >= 500) {
        await res.body?.cancel();
        throw new UpstreamSignInError('unavailable', `${options.target} answered ${status}`);
      }
      return { status, json: parseJson(await boundedText(res, options.target)) };
    } catch (error) {
      if (error instanceof UpstreamSignInError) throw error;
      if (error instanceof CircuitOpenError) {
        throw new UpstreamSignInError('unavailable', `${options.target} circuit open`);
      }
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new UpstreamSignInError(
        'unavailable',
        `${options.target} ${timedOut ? `timed out after ${options.timeoutMs} ms` : 'unreachable'}`,
      );
    } finally {
      isolateMetrics.inc('http_client_requests_total', { target: metricTarget, status });
      isolateMetrics.observe(
        'http_client_request_duration_seconds',
        { target: metricTarget },
        (now() - started) / 1000,
      );
    }
  }

  return {
    get: (url, headers) => call(url, { method: 'GET', headers }),
    postForm: (url, body, headers) =>
      call(url, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      }),
  };
}

async function boundedText(res: Response, target: string): Promise<string> {
  const bytes = await readCappedBytes(res.body, res.headers.get('content-length'), MAX_BODY_BYTES);
  if (bytes === null) throw new UpstreamSignInError('failed', `${target} answered an oversized body`);
  return new TextDecoder().decode(bytes);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
