/** AuditLogStore contract: append/list round trip with metadata, and paging. */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogStore } from '../ports';
import { listAll, type MakeStorage, makeAuditEntry } from './fixtures';
import { itPagesNewestFirst } from './paging-cases';

/** Runs the AuditLogStore contract against `makeStorage()` of adapter `name`. */
export function describeAuditLogStoreContract(name: string, makeStorage: MakeStorage): void {
  describe(`AuditLogStore contract (${name})`, () => {
    let auditLog: AuditLogStore;
    beforeAll(async () => {
      auditLog = (await makeStorage()).auditLog;
    });

    it('appends entries and lists them with every field and their metadata', async () => {
      const byUser = makeAuditEntry();
      const bySystem = makeAuditEntry({
        actorType: 'system',
        action: 'key.rotate',
        targetKind: 'signing_key',
        targetId: null,
        ip: null,
        userAgent: null,
        metadata: {},
      });
      await auditLog.append(byUser);
      await auditLog.append(bySystem);
      const listed = await listAll((page) => auditLog.list(page));
      expect(listed.find((e) => e.id === byUser.id)).toEqual(byUser);
      expect(listed.find((e) => e.id === bySystem.id)).toEqual(bySystem);
    });

    itPagesNewestFirst(() => ({
      isolated: false,
      async create(createdAt) {
        const entry = makeAuditEntry({ createdAt });
        await auditLog.append(entry);
        return { createdAt, id: entry.id };
      },
      async list(page) {
        const result = await auditLog.list(page);
        return { ...result, items: result.items.map((e) => ({ createdAt: e.createdAt, id: e.id })) };
      },
    }));
  });
}
