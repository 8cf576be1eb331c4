/** PostgreSQL adapter for DeviceAuthorizationStore (table `device_authorizations`, keyed by user code). */
import { eq, gt, lte } from 'drizzle-orm';
import type { DeviceAuthorizationRecord, DeviceAuthorizationStore, Page, PageRequest } from '../ports';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { deviceAuthorizations } from './schema';

const WHAT = 'device authorization';
const PAGED = pagedTable(WHAT, deviceAuthorizations, 'createdAt', 'userCode');

/** DeviceAuthorizationStore over PostgreSQL. */
export class PgDeviceAuthorizationStore implements DeviceAuthorizationStore {
  constructor(private readonly run: PgRunner) {}

  async put(record: DeviceAuthorizationRecord): Promise<void> {
    const { clientId, scope, createdAt, expiresAt } = record;
    await this.run(WHAT, (db) =>
      db.insert(deviceAuthorizations).values(record).onConflictDoUpdate({
        target: deviceAuthorizations.userCode,
        set: { clientId, scope, createdAt, expiresAt },
      }),
    );
  }

  async get(userCode: string): Promise<DeviceAuthorizationRecord | null> {
    return findOne(this.run, WHAT, deviceAuthorizations, eq(deviceAuthorizations.userCode, userCode));
  }

  async delete(userCode: string): Promise<boolean> {
    const changed = await this.run(
      WHAT,
      async (db) =>
        affected(await db.delete(deviceAuthorizations).where(eq(deviceAuthorizations.userCode, userCode))),
      0,
    );
    return changed > 0;
  }

  async list(page: PageRequest, now: number): Promise<Page<DeviceAuthorizationRecord>> {
    return listPage(this.run, PAGED, page, gt(deviceAuthorizations.expiresAt, now));
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await this.run(WHAT, (db) =>
      db.delete(deviceAuthorizations).where(lte(deviceAuthorizations.expiresAt, now)),
    );
    return affected(result);
  }
}
