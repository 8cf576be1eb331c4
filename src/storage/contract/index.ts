/** Storage contract suites: one per port, run unchanged against every adapter (re-exports). */
export { describeAuditLogStoreContract } from './audit-log-store.contract';
export { describeClientStoreContract } from './client-store.contract';
export { describeDenylistStoreContract } from './denylist-store.contract';
export { describeDeviceAuthorizationStoreContract } from './device-authorization-store.contract';
export { describeEventStoreContract, makeEvent } from './event-store.contract';
export type { MakeStorage } from './fixtures';
export { describeGrantStoreContract } from './grant-store.contract';
export { describeIdentityStoreContract } from './identity-store.contract';
export { describeMfaStoreContract } from './mfa-store.contract';
export { describeSessionStoreContract } from './session-store.contract';
export { describeSigningKeyStoreContract } from './signing-key-store.contract';
export { describeStorageContract } from './storage-contract';
export { describeTrustedIssuerStoreContract } from './trusted-issuer-store.contract';
export { describeUnitOfWorkContract } from './unit-of-work.contract';
export { describeUserStoreContract } from './user-store.contract';
