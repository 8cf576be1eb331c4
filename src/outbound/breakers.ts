/**
 * Circuit breakers per outbound host, per isolate: one unreachable or failing receiver stops being called
 * for a while without holding up the others. Bounded: past `max` hosts the least recently created is
 * forgotten, so hosts named by clients cannot grow it without limit.
 */
import { CircuitBreaker, type CircuitBreakerOptions } from '../resilience/circuit-breaker';

/** A breaker per (target, host), created on first use. */
export function hostBreakers(
  options: (target: string, circuit: string) => CircuitBreakerOptions,
  max = 256,
): (target: string, host: string) => CircuitBreaker {
  const breakers = new Map<string, CircuitBreaker>();
  return (target, host) => {
    // Keyed by target too: a client that makes a host fail for its own jwks_uri does not open the
    // breaker of the upstream provider or webhook receiver on that host.
    const circuit = `${target}:${host}`;
    let breaker = breakers.get(circuit);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(circuit, options(target, circuit));
      if (breakers.size >= max) breakers.delete(breakers.keys().next().value as string);
      breakers.set(circuit, breaker);
    }
    return breaker;
  };
}
