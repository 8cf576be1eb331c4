/** D1 adapter for DeviceAuthorizationStore (table `device_authorizations`, keyed by user code). */
import { eq, gt, lte } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { DeviceAuthorizationRecord, DeviceAuthorizationStore, Page, PageRequest } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { deviceAuthorizations } from './schema';

const WHAT = 'device authorization';
const PAGED = pagedTable(WHAT, deviceAuthorizations, 'createdAt', 'userCode');

/** DeviceAuthorizationStore over D1. */
export class D1DeviceAuthorizationStore implements DeviceAuthorizationStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async put(record: DeviceAuthorizationRecord): Promise<void> {
    const { clientId, scope, createdAt, expiresAt } = record;
    await d1Call(WHAT, () =>
      this.db
        .insert(deviceAuthorizations)
        .values(record)
        .onConflictDoUpdate({
          target: deviceAuthorizations.userCode,
          set: { clientId, scope, createdAt, expiresAt },
        })
        .run(),
    );
  }

  async get(userCode: string): Promise<DeviceAuthorizationRecord | null> {
    return findOneBy(this.db, WHAT, deviceAuthorizations, deviceAuthorizations.userCode, userCode);
  }

  async delete(userCode: string): Promise<boolean> {
    const result = await d1Call(WHAT, () =>
      this.db.delete(deviceAuthorizations).where(eq(deviceAuthorizations.userCode, userCode)).run(),
    );
    return result.meta.changes > 0;
  }

  async list(page: PageRequest, now: number): Promise<Page<DeviceAuthorizationRecord>> {
    return listPage(this.db, PAGED, page, gt(deviceAuthorizations.expiresAt, now));
  }

  async deleteExpired(now: number): Promise<number> {
    const result = await d1Call(WHAT, () =>
      this.db.delete(deviceAuthorizations).where(lte(deviceAuthorizations.expiresAt, now)).run(),
    );
    return result.meta.changes;
  }
}
