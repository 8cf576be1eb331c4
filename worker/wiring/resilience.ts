/**
 * Per-isolate resilience state: the circuit breakers (storage, the rate-limit backend, outbound hosts), the
 * concurrency limit and the route-group bulkheads. One set per env object, i.e. per
 * isolate, like the other per-isolate services: nothing here is shared between isolates.
 */
import { systemClock } from '../../src/clock';
import type { Config } from '../../src/config';
import { recordCircuitBreakerTrip, setCircuitBreakerState } from '../../src/observability';
import { hostBreakers } from '../../src/outbound';
import {
  BULKHEADS,
  type BulkheadName,
  CircuitBreaker,
  type CircuitBreakerOptions,
  ConcurrencyLimit,
  guardStorage,
} from '../../src/resilience';
import { createStorage, type Storage, type WaitUntil } from '../../src/storage';

interface IsolateResilience {
  breakers: Map<string, CircuitBreaker>;
  global: ConcurrencyLimit;
  bulkheads: Record<BulkheadName, ConcurrencyLimit>;
  /** Storage views per request scope: one breaker decision per request (see guardStorage). */
  storage: WeakMap<WaitUntil, Storage>;
  /** Breakers of outbound hosts, per (target, host). */
  outbound: (target: string, host: string) => CircuitBreaker;
}

const perIsolate = new WeakMap<Env, IsolateResilience>();

/** The breakers' clock; tests of whole requests move it with `setResilienceClock`. */
let clock: () => number = systemClock.nowMs;

/** Test hook: the clock every breaker reads (milliseconds). */
export function setResilienceClock(now: () => number = systemClock.nowMs): void {
  clock = now;
}

function isolateResilience(env: Env, config: Config): IsolateResilience {
  let state = perIsolate.get(env);
  if (state === undefined) {
    const { maxConcurrent, bulkheads } = config.resilience;
    state = {
      breakers: new Map(),
      global: new ConcurrencyLimit('global', maxConcurrent),
      bulkheads: Object.fromEntries(
        BULKHEADS.map((name) => [name, new ConcurrencyLimit(name, bulkheads[name])]),
      ) as Record<BulkheadName, ConcurrencyLimit>,
      storage: new WeakMap(),
      outbound: hostBreakers((target, circuit) => breakerOptions(config, circuit, target, false)),
    };
    perIsolate.set(env, state);
  }
  return state;
}

/** This isolate's breaker for `circuit` (storage, rate_limit, ...); null when breakers are off. */
export function breakerFor(env: Env, config: Config, circuit: string): CircuitBreaker | null {
  if (!config.resilience.breakerEnabled) return null;
  const { breakers } = isolateResilience(env, config);
  let breaker = breakers.get(circuit);
  if (breaker === undefined) {
    breaker = new CircuitBreaker(circuit, breakerOptions(config, circuit, circuit, true));
    setCircuitBreakerState(circuit, 'closed');
    breakers.set(circuit, breaker);
  }
  return breaker;
}

/**
 * The breaker of each host that outbound calls for `target` reach (src/outbound); undefined when breakers
 * are off. Their trips are counted by target, with no state gauge: hosts named by clients must not grow
 * the label set.
 */
export function outboundBreakers(
  env: Env,
  config: Config,
  target: string,
): ((host: string) => CircuitBreaker) | undefined {
  if (!config.resilience.breakerEnabled) return undefined;
  const { outbound } = isolateResilience(env, config);
  return (host) => outbound(target, host);
}

function breakerOptions(
  config: Config,
  circuit: string,
  metricCircuit: string,
  gauge: boolean,
): CircuitBreakerOptions {
  const settings = config.resilience.breaker;
  return {
    failureThreshold: settings.failureThreshold,
    successThreshold: settings.successThreshold,
    openMs: settings.openSecs * 1000,
    halfOpenMaxProbes: settings.halfOpenMaxProbes,
    now: () => clock(),
    onStateChange(state, previous) {
      if (gauge) setCircuitBreakerState(metricCircuit, state);
      if (state === 'open') recordCircuitBreakerTrip(metricCircuit);
      const level = state === 'closed' ? 'info' : 'warn';
      console.log(JSON.stringify({ level, msg: 'circuit breaker', circuit, state, previous }));
    },
  };
}

/** The concurrency limit and bulkheads of this isolate. */
export function concurrencyLimits(
  env: Env,
  config: Config,
): { global: ConcurrencyLimit; bulkheads: Record<BulkheadName, ConcurrencyLimit> } {
  return isolateResilience(env, config);
}

/**
 * The Storage of a request, behind the storage breaker. With `scope` (the request's ExecutionContext)
 * every caller in the request shares one view, so the breaker decides once per request; without one
 * (tools, `app.request` in tests) each call site gets its own view.
 */
export function resilientStorage(env: Env, config: Config, scope?: WaitUntil): Storage {
  const storage = createStorage(env, scope);
  const breaker = breakerFor(env, config, 'storage');
  if (breaker === null) return storage;
  if (scope === undefined) return guardStorage(storage, breaker);
  const views = isolateResilience(env, config).storage;
  let view = views.get(scope);
  if (view === undefined) {
    view = guardStorage(storage, breaker);
    views.set(scope, view);
  }
  return view;
}
