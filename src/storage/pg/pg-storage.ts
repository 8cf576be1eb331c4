/** createPgStorage: every storage port over one PostgreSQL database through drizzle-orm/neon-serverless. */
import { sql } from 'drizzle-orm';
import { type Storage, StorageUnavailableError } from '../ports';
import { PgAuditLogStore } from './audit-log-store';
import { PgClientStore } from './client-store';
import { PgConsentStore } from './consent-store';
import { PgDenylistStore } from './denylist-store';
import { PgDeviceAuthorizationStore } from './device-authorization-store';
import { openPool, type PgConnectionOptions } from './driver';
import { PgEventStore } from './event-store';
import { PgGrantStore } from './grant-store';
import { PgIdentityStore } from './identity-store';
import { PgMfaStore } from './mfa-store';
import { PoolLease, type WaitUntil } from './pool-lease';
import { PgResourceStore } from './resource-store';
import { pgRunner } from './runner';
import { PgScopeStore } from './scope-store';
import { PgSessionStore } from './session-store';
import { PgSigningKeyStore } from './signing-key-store';
import { PgTrustedIssuerStore } from './trusted-issuer-store';
import { runPgUnit } from './unit-of-work';
import { PgUserStore } from './user-store';

/** The Storage ports over PostgreSQL, plus `close()` to end its pool (see PoolLease). */
export interface PgStorage extends Storage {
  /** No further use is planned: the pool ends once idle (through `waitUntil` when scoped). */
  close(): void;
}

/**
 * Builds the Storage ports over PostgreSQL. With `background` (an ExecutionContext or a Durable
 * Object's state) one pool serves every operation until `close()`; without, each operation opens and
 * ends its own (see PoolLease).
 */
export function createPgStorage(options: PgConnectionOptions, background?: WaitUntil): PgStorage {
  const lease = new PoolLease(() => openPool(options), background);
  const run = pgRunner(lease);
  return {
    clients: new PgClientStore(run),
    users: new PgUserStore(run),
    sessions: new PgSessionStore(run),
    consents: new PgConsentStore(run),
    grants: new PgGrantStore(run),
    signingKeys: new PgSigningKeyStore(run),
    auditLog: new PgAuditLogStore(run),
    denylist: new PgDenylistStore(run),
    events: new PgEventStore(run),
    identities: new PgIdentityStore(run),
    scopes: new PgScopeStore(run),
    resources: new PgResourceStore(run),
    trustedIssuers: new PgTrustedIssuerStore(run),
    mfa: new PgMfaStore(run),
    deviceAuthorizations: new PgDeviceAuthorizationStore(run),
    atomically: (build) => runPgUnit(run, build),
    async healthcheck() {
      try {
        await run('healthcheck', (db) => db.execute(sql`select 1`));
      } catch (error) {
        if (error instanceof StorageUnavailableError) throw error;
        throw new StorageUnavailableError(undefined, { cause: error });
      }
    },
    close: () => lease.close(),
  };
}
