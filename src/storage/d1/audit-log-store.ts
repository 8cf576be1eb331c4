/** D1 adapter for AuditLogStore (table `audit_log`, append-only). */
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import { normalizePage, toPage } from '../paging';
import type { AuditEntry, AuditLogStore, Page, PageRequest } from '../ports';
import { d1Call } from './errors';
import { afterCursor, type KeysetColumns, newestFirst } from './keyset';
import { auditLog } from './schema';

const KEYSET: KeysetColumns = { createdAt: auditLog.createdAt, id: auditLog.id };

/** AuditLogStore over D1. */
export class D1AuditLogStore implements AuditLogStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async append(entry: AuditEntry): Promise<void> {
    await d1Call('audit entry', () => this.db.insert(auditLog).values(entry).run());
  }

  async list(page: PageRequest): Promise<Page<AuditEntry>> {
    const { limit, offset, after } = normalizePage(page);
    const rows = await d1Call('audit entry', () =>
      this.db
        .select()
        .from(auditLog)
        .where(afterCursor(KEYSET, after))
        .orderBy(...newestFirst(KEYSET))
        .limit(limit + 1)
        .offset(offset),
    );
    return toPage(rows, limit, (e) => ({ createdAt: e.createdAt, id: e.id }));
  }
}
