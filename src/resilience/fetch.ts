/**
 * Outbound HTTP through a timeout and, optionally, a circuit breaker: a 5xx answer, a network error and
 * a timeout count as failures; an open breaker refuses the call (CircuitOpenError) without sending it.
 */
import type { CircuitBreaker } from './circuit-breaker';

export interface OutboundOptions {
  timeoutMs: number;
  breaker?: CircuitBreaker | null | undefined;
  fetch?: typeof fetch;
}

/** A fetch with a deadline of `timeoutMs` (combined with the caller's own signal, if any). */
export function resilientFetch(options: OutboundOptions): typeof fetch {
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  return async (input, init) => {
    const deadline = AbortSignal.timeout(options.timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    const call = () => send(input, { ...init, signal });
    const breaker = options.breaker;
    if (!breaker) return call();
    const permit = breaker.acquire();
    try {
      const response = await call();
      if (response.status >= 500) permit.failure();
      else permit.success();
      return response;
    } catch (error) {
      permit.failure();
      throw error;
    }
  };
}
