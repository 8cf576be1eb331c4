/** D1 storage adapter (drizzle-orm/d1): re-exports. */
export { D1AuditLogStore } from './audit-log-store';
export { D1ClientStore } from './client-store';
export { createD1Storage } from './d1-storage';
export { D1DenylistStore } from './denylist-store';
export { D1EventStore } from './event-store';
export { D1GrantStore } from './grant-store';
export { D1SessionStore } from './session-store';
export { D1SigningKeyStore } from './signing-key-store';
export { D1UserStore } from './user-store';
