/**
 * Calls to an upstream provider, through src/outbound (the URL policy, a deadline, the host's circuit
 * breaker, no redirects followed, bounded bodies, metrics `http_client_*{target="upstream_<id>"}`), with a
 * child `traceparent`. Failures become UpstreamSignInError (`unavailable` for timeouts, network errors,
 * 5xx and an open breaker; `failed` for anything else unexpected).
 */

import { isolateMetrics } from '../../observability/metrics';
import { childTraceparent } from '../../observability/traceparent';
import {
  OutboundError,
  type OutboundFailure,
  type OutboundRequest,
  type OutboundResponse,
  outboundFetch,
} from '../../outbound/fetch';
import type { OutboundPolicy } from '../../outbound/policy';
import type { CircuitBreaker } from '../../resilience/circuit-breaker';
import { UpstreamSignInError } from './errors';

/** No provider document, key set or token response is anywhere near this. */
const MAX_BODY_BYTES = 512 * 1024;
export const USER_AGENT = 'edge-oauth2-server-upstream/1';

export interface UpstreamHttpOptions {
  /** Provider id, for metrics and log details. */
  target: string;
  timeoutMs: number;
  /** What the running server may reach (config.outbound). */
  policy: OutboundPolicy;
  /** The breaker of a provider host (per isolate); none when absent. */
  breaker?: ((host: string) => CircuitBreaker) | undefined;
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

/** Failures a retry in a moment may get past; the rest are the provider misbehaving (or misconfigured). */
const UNAVAILABLE: ReadonlySet<OutboundFailure> = new Set(['circuit_open', 'timeout', 'unreachable']);

export function upstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  async function call(url: string, request: OutboundRequest): Promise<UpstreamResponse> {
    const headers = new Headers(request.headers);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    headers.set('User-Agent', USER_AGENT);
    headers.set('traceparent', childTraceparent(options.traceparent));
    let answer: OutboundResponse;
    try {
      answer = await outboundFetch(
        url,
        { ...request, headers },
        {
          target: `upstream_${options.target}`,
          policy: options.policy,
          timeoutMs: options.timeoutMs,
          maxBytes: MAX_BODY_BYTES,
          breaker: options.breaker,
          metrics: isolateMetrics,
          nowMs: options.now,
          fetch: options.fetch,
        },
      );
    } catch (error) {
      if (!(error instanceof OutboundError)) throw error;
      const reason = UNAVAILABLE.has(error.failure) ? 'unavailable' : 'failed';
      throw new UpstreamSignInError(reason, `${options.target}: ${error.message}`);
    }
    if (answer.status >= 500) {
      throw new UpstreamSignInError('unavailable', `${options.target} answered ${answer.status}`);
    }
    return { status: answer.status, json: parseJson(new TextDecoder().decode(answer.body)) };
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
