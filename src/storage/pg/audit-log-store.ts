/** PostgreSQL adapter for AuditLogStore (table `audit_log`, append-only). */
import { normalizePage, toPage } from '../paging';
import type { AuditEntry, AuditLogStore, Page, PageRequest } from '../ports';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import type { PgRunner } from './runner';
import { auditLog } from './schema';

const KEYSET: KeysetColumns = { createdAt: auditLog.createdAt, id: auditLog.id };

/** AuditLogStore over PostgreSQL. */
export class PgAuditLogStore implements AuditLogStore {
  constructor(private readonly run: PgRunner) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.run('audit entry', (db) => db.insert(auditLog).values(entry));
  }

  async list(page: PageRequest): Promise<Page<AuditEntry>> {
    const { limit, offset, after } = normalizePage(page);
    const rows = await this.run(
      'audit entry',
      (db) =>
        db
          .select()
          .from(auditLog)
          .where(afterCursor(KEYSET, after))
          .orderBy(...newestFirst(KEYSET))
          .limit(limit + 1)
          .offset(offset),
      [],
    );
    return toPage(rows, limit, (e) => ({ createdAt: e.createdAt, id: e.id }));
  }
}
