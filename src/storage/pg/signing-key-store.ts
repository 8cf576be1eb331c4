/** PostgreSQL adapter for SigningKeyStore (table `signing_keys`). */
import { eq } from 'drizzle-orm';
import type { SigningKeyRecord, SigningKeyStatus, SigningKeyStore } from '../ports';
import { newestFirst } from './keyset';
import { affected, type PgRunner } from './runner';
import { signingKeys } from './schema';

/** SigningKeyStore over PostgreSQL. */
export class PgSigningKeyStore implements SigningKeyStore {
  constructor(private readonly run: PgRunner) {}

  async list(): Promise<SigningKeyRecord[]> {
    return this.run('signing key', (db) =>
      db
        .select()
        .from(signingKeys)
        .orderBy(...newestFirst({ createdAt: signingKeys.createdAt, id: signingKeys.kid })),
    );
  }

  async insert(key: SigningKeyRecord): Promise<void> {
    await this.run('signing key', (db) => db.insert(signingKeys).values(key));
  }

  async setStatus(kid: string, status: SigningKeyStatus, retiresAt: number | null): Promise<boolean> {
    const changed = await this.run(
      'signing key',
      async (db) =>
        affected(await db.update(signingKeys).set({ status, retiresAt }).where(eq(signingKeys.kid, kid))),
      0,
    );
    return changed > 0;
  }
}
