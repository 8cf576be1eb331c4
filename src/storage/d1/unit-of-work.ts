/**
 * Storage.atomically on D1: the queued writes run as one `batch()`, which D1 executes as a single
 * transaction (statements in order; any failure rolls every one back). D1 has no BEGIN/COMMIT.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type { UnitOfWork } from '../ports';
import { allWritten, PendingWrite } from '../unit-of-work';
import { translateD1Error } from './errors';
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

interface QueuedWrite {
  /** Named in errors (never values). */
  what: string;
  /** The table written, as SQLite names it in constraint errors. */
  table: string;
  query: BatchItem<'sqlite'>;
  handle: PendingWrite;
}

/** Runs the writes `build` queues as one D1 batch. */
export async function runD1Unit(db: DrizzleD1Database, build: (unit: UnitOfWork) => void): Promise<void> {
  const writes: QueuedWrite[] = [];
  const queue = (what: string, table: string, query: BatchItem<'sqlite'>): PendingWrite => {
    const handle = new PendingWrite();
    writes.push({ what, table, query, handle });
    return handle;
  };
  build({
    clients: {
      create: (client) => queue('client', 'clients', db.insert(clients).values(client)),
      update: ({ clientId, ...fields }) =>
        queue('client', 'clients', db.update(clients).set(fields).where(eq(clients.clientId, clientId))),
      delete: (clientId) =>
        queue('client', 'clients', db.delete(clients).where(eq(clients.clientId, clientId))),
    },
    users: {
      create: (user) =>
        queue('user', 'users', db.insert(users).values({ ...user, username: user.username.toLowerCase() })),
      update: ({ id, ...fields }) =>
        queue(
          'user',
          'users',
          db
            .update(users)
            .set({ ...fields, username: fields.username.toLowerCase() })
            .where(eq(users.id, id)),
        ),
      delete: (id) => queue('user', 'users', db.delete(users).where(eq(users.id, id))),
    },
    sessions: {
      deleteByUser: (userId) =>
        queue('session', 'sessions', db.delete(sessions).where(eq(sessions.userId, userId))),
    },
    consents: {
      deleteByUser: (userId) =>
        queue('consent', 'consents', db.delete(consents).where(eq(consents.userId, userId))),
    },
    mfa: {
      deleteAllFactors: (userId) =>
        allWritten([
          queue(
            'second factor',
            'totp_factors',
            db.delete(totpFactors).where(eq(totpFactors.userId, userId)),
          ),
          queue(
            'second factor',
            'recovery_codes',
            db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)),
          ),
          queue('second factor', 'passkeys', db.delete(passkeys).where(eq(passkeys.userId, userId))),
        ]),
    },
    grants: {
      markRevoked: (id, at) =>
        queue(
          'grant',
          'grants',
          db
            .update(grants)
            .set({ revokedAt: at })
            .where(and(eq(grants.id, id), isNull(grants.revokedAt))),
        ),
    },
    denylist: {
      add: (entry) => queue('denylist entry', 'denylist', db.insert(denylist).values(entry)),
      delete: (id) => queue('denylist entry', 'denylist', db.delete(denylist).where(eq(denylist.id, id))),
    },
    signingKeys: {
      insert: (key) => queue('signing key', 'signing_keys', db.insert(signingKeys).values(key)),
      setStatus: (kid, status, retiresAt) =>
        queue(
          'signing key',
          'signing_keys',
          db.update(signingKeys).set({ status, retiresAt }).where(eq(signingKeys.kid, kid)),
        ),
    },
    auditLog: {
      append: (entry) => queue('audit entry', 'audit_log', db.insert(auditLog).values(entry)),
    },
  });
  const [first, ...rest] = writes;
  if (first === undefined) return;
  let results: unknown[];
  try {
    results = await db.batch([first.query, ...rest.map((write) => write.query)]);
  } catch (error) {
    throw translateD1Error(failedWrite(writes, error)?.what ?? 'record', error);
  }
  for (const [i, write] of writes.entries()) write.handle.settle(changesOf(results[i]));
}

/** Rows a statement of the batch changed (its D1Result's `meta.changes`). */
function changesOf(result: unknown): number {
  const meta = result !== null && typeof result === 'object' ? Reflect.get(result, 'meta') : undefined;
  const changes = meta !== null && typeof meta === 'object' ? Reflect.get(meta, 'changes') : undefined;
  return typeof changes === 'number' ? changes : 0;
}

/** The write a constraint error names by its table (`UNIQUE constraint failed: clients.client_id`). */
function failedWrite(writes: QueuedWrite[], error: unknown): QueuedWrite | undefined {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return writes.find((write) => message.includes(`${write.table}.`));
}
