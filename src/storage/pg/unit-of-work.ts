/**
 * Storage.atomically on PostgreSQL: the queued writes run in order inside one transaction (drizzle
 * `transaction()` on a client checked out of the request's pool); any failure rolls every one back.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { UnitOfWork } from '../ports';
import { allWritten, PendingWrite } from '../unit-of-work';
import { translatePgError } from './errors';
import type { PgDatabase } from './pool-lease';
import { affected, type PgRunner } from './runner';
import {
  auditLog,
  clients,
  consents,
  denylist,
  grants,
  passkeys,
  recoveryCodes,
  sessions,
  signingKeys,
  totpFactors,
  users,
} from './schema';

/** The transaction handle drizzle passes to `transaction()`'s callback. */
type PgTransaction = Parameters<Parameters<PgDatabase['transaction']>[0]>[0];

interface QueuedWrite {
  /** Named in errors (never values). */
  what: string;
  execute: (tx: PgTransaction) => Promise<{ rowCount: number | null }>;
  handle: PendingWrite;
}

/** Runs the writes `build` queues in one transaction. */
export async function runPgUnit(run: PgRunner, build: (unit: UnitOfWork) => void): Promise<void> {
  const writes: QueuedWrite[] = [];
  const queue = (what: string, execute: QueuedWrite['execute']): PendingWrite => {
    const handle = new PendingWrite();
    writes.push({ what, execute, handle });
    return handle;
  };
  build({
    clients: {
      create: (client) => queue('client', (tx) => tx.insert(clients).values(client)),
      update: ({ clientId, ...fields }) =>
        queue('client', (tx) => tx.update(clients).set(fields).where(eq(clients.clientId, clientId))),
      delete: (clientId) => queue('client', (tx) => tx.delete(clients).where(eq(clients.clientId, clientId))),
    },
    users: {
      create: (user) =>
        queue('user', (tx) => tx.insert(users).values({ ...user, username: user.username.toLowerCase() })),
      update: ({ id, ...fields }) =>
        queue('user', (tx) =>
          tx
            .update(users)
            .set({ ...fields, username: fields.username.toLowerCase() })
            .where(eq(users.id, id)),
        ),
      delete: (id) => queue('user', (tx) => tx.delete(users).where(eq(users.id, id))),
    },
    sessions: {
      deleteByUser: (userId) =>
        queue('session', (tx) => tx.delete(sessions).where(eq(sessions.userId, userId))),
    },
    consents: {
      deleteByUser: (userId) =>
        queue('consent', (tx) => tx.delete(consents).where(eq(consents.userId, userId))),
    },
    mfa: {
      deleteAllFactors: (userId) =>
        allWritten([
          queue('second factor', (tx) => tx.delete(totpFactors).where(eq(totpFactors.userId, userId))),
          queue('second factor', (tx) => tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId))),
          queue('second factor', (tx) => tx.delete(passkeys).where(eq(passkeys.userId, userId))),
        ]),
    },
    grants: {
      markRevoked: (id, at) =>
        queue('grant', (tx) =>
          tx
            .update(grants)
            .set({ revokedAt: at })
            .where(and(eq(grants.id, id), isNull(grants.revokedAt))),
        ),
    },
    denylist: {
      add: (entry) => queue('denylist entry', (tx) => tx.insert(denylist).values(entry)),
      delete: (id) => queue('denylist entry', (tx) => tx.delete(denylist).where(eq(denylist.id, id))),
    },
    signingKeys: {
      insert: (key) => queue('signing key', (tx) => tx.insert(signingKeys).values(key)),
      setStatus: (kid, status, retiresAt) =>
        queue('signing key', (tx) =>
          tx.update(signingKeys).set({ status, retiresAt }).where(eq(signingKeys.kid, kid)),
        ),
    },
    auditLog: {
      append: (entry) => queue('audit entry', (tx) => tx.insert(auditLog).values(entry)),
    },
  });
  if (writes.length === 0) return;
  const changes = await run('unit of work', (db) =>
    db.transaction(async (tx) => {
      const counts: number[] = [];
      for (const write of writes) {
        try {
          counts.push(affected(await write.execute(tx)));
        } catch (error) {
          // Named after the write that failed; the transaction rolls back as this propagates.
          throw translatePgError(write.what, error);
        }
      }
      return counts;
    }),
  );
  for (const [i, write] of writes.entries()) write.handle.settle(changes[i] ?? 0);
}
