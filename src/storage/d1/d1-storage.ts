/** createD1Storage: every storage port over one D1 database through drizzle-orm. */
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { type Storage, StorageUnavailableError } from '../ports';
import { D1AuditLogStore } from './audit-log-store';
import { D1ClientStore } from './client-store';
import { D1ConsentStore } from './consent-store';
import { D1DenylistStore } from './denylist-store';
import { D1DeviceAuthorizationStore } from './device-authorization-store';
import { D1EventStore } from './event-store';
import { D1GrantStore } from './grant-store';
import { D1IdentityStore } from './identity-store';
import { D1MfaStore } from './mfa-store';
import { D1ResourceStore } from './resource-store';
import { D1ScopeStore } from './scope-store';
import { D1SessionStore } from './session-store';
import { D1SigningKeyStore } from './signing-key-store';
import { D1TrustedIssuerStore } from './trusted-issuer-store';
import { runD1Unit } from './unit-of-work';
import { D1UserStore } from './user-store';

/** Builds the Storage ports over a D1 binding (cheap, but cache it per binding: see createStorage). */
export function createD1Storage(db: D1Database): Storage {
  const orm = drizzle(db);
  return {
    clients: new D1ClientStore(orm),
    users: new D1UserStore(orm),
    sessions: new D1SessionStore(orm),
    consents: new D1ConsentStore(orm),
    grants: new D1GrantStore(orm),
    signingKeys: new D1SigningKeyStore(orm),
    auditLog: new D1AuditLogStore(orm),
    denylist: new D1DenylistStore(orm),
    events: new D1EventStore(orm, db),
    identities: new D1IdentityStore(orm),
    scopes: new D1ScopeStore(orm),
    resources: new D1ResourceStore(orm),
    trustedIssuers: new D1TrustedIssuerStore(orm),
    mfa: new D1MfaStore(orm),
    deviceAuthorizations: new D1DeviceAuthorizationStore(orm),
    atomically: (build) => runD1Unit(orm, build),
    async healthcheck() {
      try {
        await orm.run(sql`select 1`);
      } catch (error) {
        const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
        throw new StorageUnavailableError(undefined, { cause });
      }
    },
  };
}
