/** PostgreSQL storage adapter (drizzle-orm/neon-serverless over @neondatabase/serverless): re-exports. */
export { PgAuditLogStore } from './audit-log-store';
export { PgClientStore } from './client-store';
export { PgConsentStore } from './consent-store';
export { PgDenylistStore } from './denylist-store';
export type { PgConnectionOptions, PgTransport } from './driver';
export { PgEventStore } from './event-store';
export { PgGrantStore } from './grant-store';
export { createPgStorage, type PgStorage } from './pg-storage';
export type { WaitUntil } from './pool-lease';
export { PgSessionStore } from './session-store';
export { PgSigningKeyStore } from './signing-key-store';
export { PgUserStore } from './user-store';
