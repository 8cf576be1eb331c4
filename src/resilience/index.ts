/** Resilience: circuit breakers, per-isolate concurrency limits and bulkheads, guarded storage. */
export * from './circuit-breaker';
export * from './concurrency';
export * from './config';
export * from './guarded-storage';
