/** PostgreSQL adapter for AuditLogStore (table `audit_log`, append-only). */
import type { AuditEntry, AuditLogStore, Page, PageRequest } from '../ports';
import { listPage, pagedTable } from './paging';
import type { PgRunner } from './runner';
import { auditLog } from './schema';

const PAGED = pagedTable('audit entry', auditLog, 'createdAt', 'id');

/** AuditLogStore over PostgreSQL. */
export class PgAuditLogStore implements AuditLogStore {
  constructor(private readonly run: PgRunner) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.run('audit entry', (db) => db.insert(auditLog).values(entry));
  }

  async list(page: PageRequest): Promise<Page<AuditEntry>> {
    return listPage(this.run, PAGED, page);
  }
}
