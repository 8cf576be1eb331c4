/** D1 adapter for AuditLogStore (table `audit_log`, append-only). */
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { AuditEntry, AuditLogStore, Page, PageRequest } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { auditLog } from './schema';

const PAGED = pagedTable('audit entry', auditLog, 'createdAt', 'id');

/** AuditLogStore over D1. */
export class D1AuditLogStore implements AuditLogStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async append(entry: AuditEntry): Promise<void> {
    await d1Call('audit entry', () => this.db.insert(auditLog).values(entry).run());
  }

  async list(page: PageRequest): Promise<Page<AuditEntry>> {
    return listPage(this.db, PAGED, page);
  }
}
