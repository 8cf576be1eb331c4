/** D1 adapter for TrustedIssuerStore (table `trusted_issuers`, unique issuer). */
import { eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { Page, PageRequest, TrustedIssuerRecord, TrustedIssuerStore } from '../ports';
import { d1Call } from './errors';
import { listPage, pagedTable } from './paging';
import { findOneBy } from './rows';
import { trustedIssuers } from './schema';

const PAGED = pagedTable('trusted issuer', trustedIssuers, 'createdAt', 'id');

/** TrustedIssuerStore over D1. */
export class D1TrustedIssuerStore implements TrustedIssuerStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async create(issuer: TrustedIssuerRecord): Promise<void> {
    await d1Call('trusted issuer', () => this.db.insert(trustedIssuers).values(issuer).run());
  }

  async get(id: string): Promise<TrustedIssuerRecord | null> {
    return findOneBy(this.db, 'trusted issuer', trustedIssuers, trustedIssuers.id, id);
  }

  async getByIssuer(issuer: string): Promise<TrustedIssuerRecord | null> {
    return findOneBy(this.db, 'trusted issuer', trustedIssuers, trustedIssuers.issuer, issuer);
  }

  async update(issuer: TrustedIssuerRecord): Promise<boolean> {
    const { id, createdAt: _createdAt, ...fields } = issuer;
    const result = await d1Call('trusted issuer', () =>
      this.db.update(trustedIssuers).set(fields).where(eq(trustedIssuers.id, id)).run(),
    );
    return result.meta.changes > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await d1Call('trusted issuer', () =>
      this.db.delete(trustedIssuers).where(eq(trustedIssuers.id, id)).run(),
    );
    return result.meta.changes > 0;
  }

  async list(page: PageRequest): Promise<Page<TrustedIssuerRecord>> {
    return listPage(this.db, PAGED, page);
  }
}
