/** Outbound requests: one URL policy, one fetch (deadline, size cap, no redirects, per-host breakers). */
export * from './breakers';
export * from './config';
export * from './fetch';
export * from './policy';
