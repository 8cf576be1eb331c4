/** D1 adapter for SigningKeyStore (table `signing_keys`). */
import { eq } from 'drizzle-orm';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { SigningKeyRecord, SigningKeyStatus, SigningKeyStore } from '../ports';
import { d1Call } from './errors';
import { newestFirst } from './keyset';
import { signingKeys } from './schema';

/** SigningKeyStore over D1. */
export class D1SigningKeyStore implements SigningKeyStore {
  constructor(private readonly db: DrizzleD1Database) {}

  async list(): Promise<SigningKeyRecord[]> {
    return d1Call('signing key', () =>
      this.db
        .select()
        .from(signingKeys)
        .orderBy(...newestFirst({ createdAt: signingKeys.createdAt, id: signingKeys.kid })),
    );
  }

  async insert(key: SigningKeyRecord): Promise<void> {
    await d1Call('signing key', () => this.db.insert(signingKeys).values(key).run());
  }

  async setStatus(kid: string, status: SigningKeyStatus, retiresAt: number | null): Promise<boolean> {
    const result = await d1Call('signing key', () =>
      this.db.update(signingKeys).set({ status, retiresAt }).where(eq(signingKeys.kid, kid)).run(),
    );
    return result.meta.changes > 0;
  }
}
