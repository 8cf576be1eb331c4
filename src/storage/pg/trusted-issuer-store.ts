/** PostgreSQL adapter for TrustedIssuerStore (table `trusted_issuers`, unique issuer). */
import { eq } from 'drizzle-orm';
import type { Page, PageRequest, TrustedIssuerRecord, TrustedIssuerStore } from '../ports';
import { listPage, pagedTable } from './paging';
import { findOne } from './rows';
import { affected, type PgRunner } from './runner';
import { trustedIssuers } from './schema';

const PAGED = pagedTable('trusted issuer', trustedIssuers, 'createdAt', 'id');

/** TrustedIssuerStore over PostgreSQL. */
export class PgTrustedIssuerStore implements TrustedIssuerStore {
  constructor(private readonly run: PgRunner) {}

  async create(issuer: TrustedIssuerRecord): Promise<void> {
    await this.run('trusted issuer', (db) => db.insert(trustedIssuers).values(issuer));
  }

  async get(id: string): Promise<TrustedIssuerRecord | null> {
    return findOne(this.run, 'trusted issuer', trustedIssuers, eq(trustedIssuers.id, id));
  }

  async getByIssuer(issuer: string): Promise<TrustedIssuerRecord | null> {
    return findOne(this.run, 'trusted issuer', trustedIssuers, eq(trustedIssuers.issuer, issuer));
  }

  async update(issuer: TrustedIssuerRecord): Promise<boolean> {
    const { id, createdAt: _createdAt, ...fields } = issuer;
    const changed = await this.run('trusted issuer', async (db) =>
      affected(await db.update(trustedIssuers).set(fields).where(eq(trustedIssuers.id, id))),
    );
    return changed > 0;
  }

  async delete(id: string): Promise<boolean> {
    const changed = await this.run(
      'trusted issuer',
      async (db) => affected(await db.delete(trustedIssuers).where(eq(trustedIssuers.id, id))),
      0,
    );
    return changed > 0;
  }

  async list(page: PageRequest): Promise<Page<TrustedIssuerRecord>> {
    return listPage(this.run, PAGED, page);
  }
}
