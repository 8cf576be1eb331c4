/** Resilience: circuit breakers, per-isolate concurrency limits and bulkheads, guarded storage, outbound fetch. */
export * from './circuit-breaker';
export * from './concurrency';
export * from './config';
export * from './fetch';
export * from './guarded-storage';
