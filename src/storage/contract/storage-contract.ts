/** describeStorageContract: every port suite plus the healthcheck, for one adapter. */
import { describe, expect, it } from 'vitest';
import { describeAuditLogStoreContract } from './audit-log-store.contract';
import { describeClientStoreContract } from './client-store.contract';
import { describeConsentStoreContract } from './consent-store.contract';
import { describeDenylistStoreContract } from './denylist-store.contract';
import { describeDeviceAuthorizationStoreContract } from './device-authorization-store.contract';
import { describeEventStoreContract } from './event-store.contract';
import type { MakeStorage } from './fixtures';
import { describeGrantStoreContract } from './grant-store.contract';
import { describeIdentityStoreContract } from './identity-store.contract';
import { describeMfaStoreContract } from './mfa-store.contract';
import { describeResourceStoreContract, describeScopeStoreContract } from './scope-store.contract';
import { describeSessionStoreContract } from './session-store.contract';
import { describeSigningKeyStoreContract } from './signing-key-store.contract';
import { describeTrustedIssuerStoreContract } from './trusted-issuer-store.contract';
import { describeUnitOfWorkContract } from './unit-of-work.contract';
import { describeUserStoreContract } from './user-store.contract';

/** Runs every storage contract suite against the adapter built by `makeStorage`. */
export function describeStorageContract(adapterName: string, makeStorage: MakeStorage): void {
  describe(`Storage contract (${adapterName})`, () => {
    it('healthcheck resolves while the database is reachable', async () => {
      const storage = await makeStorage();
      await expect(storage.healthcheck()).resolves.toBeUndefined();
    });

    describeClientStoreContract(adapterName, makeStorage);
    describeUserStoreContract(adapterName, makeStorage);
    describeSessionStoreContract(adapterName, makeStorage);
    describeConsentStoreContract(adapterName, makeStorage);
    describeGrantStoreContract(adapterName, makeStorage);
    describeSigningKeyStoreContract(adapterName, makeStorage);
    describeAuditLogStoreContract(adapterName, makeStorage);
    describeDenylistStoreContract(adapterName, makeStorage);
    describeEventStoreContract(adapterName, makeStorage);
    describeIdentityStoreContract(adapterName, makeStorage);
    describeMfaStoreContract(adapterName, makeStorage);
    describeScopeStoreContract(adapterName, makeStorage);
    describeResourceStoreContract(adapterName, makeStorage);
    describeTrustedIssuerStoreContract(adapterName, makeStorage);
    describeDeviceAuthorizationStoreContract(adapterName, makeStorage);
    describeUnitOfWorkContract(adapterName, makeStorage);
  });
}
