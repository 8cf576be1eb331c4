/** Upstream (federated) sign-in: providers from configuration, OIDC and GitHub flows, accounts (re-exports). */
export * from './accounts';
export * from './config';
export * from './discovery';
export * from './errors';
export * from './flow';
export * from './github';
export * from './http';
export * from './jwks';
export * from './oidc';
export * from './pending';
export * from './types';
