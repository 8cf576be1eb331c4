/**
 * ClientActor: one per client_id, the authoritative hot copy of a registration. Every write to a
 * client goes through its actor (so concurrent updates are serialized and the copy stays fresh);
 * Workers read it through a per-isolate cache (src/oauth/client-registry.ts) and call the actor
 * only on a cache miss.
 */
import { DurableObject } from 'cloudflare:workers';
import { withStorage } from '../src/storage';
import type { AuditEntry, ClientRecord, ClientStore, UnitOfWork, Written } from '../src/storage/ports';

export class ClientActor extends DurableObject<Env> {
  /** undefined: not loaded yet; null: no such client. */
  private client: ClientRecord | null | undefined;

  async get(clientId: string): Promise<ClientRecord | null> {
    if (this.client === undefined) this.client = await this.store((clients) => clients.get(clientId));
    return this.client;
  }

  /** Creates the client; with `audit`, its audit entry is written in the same all-or-nothing change. */
  async create(client: ClientRecord, audit?: AuditEntry): Promise<void> {
    await this.serialized(async () => {
      await this.write((unit) => {
        unit.clients.create(client);
        if (audit) unit.auditLog.append(audit);
      });
      this.client = client;
    });
  }

  /**
   * Replaces the client (with its audit entry, atomically); false, writing nothing, when it does not exist
   * or when the write would bring back a registration access token that is no longer the stored one.
   */
  async replace(client: ClientRecord, audit?: AuditEntry): Promise<boolean> {
    return this.serialized(async () => {
      // Every write to this client goes through this actor, one at a time: the check cannot go stale.
      const stored = await this.get(client.clientId);
      if (stored === null || revivesRegistrationAccess(stored, client)) return false;
      let updated: Written | undefined;
      await this.write((unit) => {
        updated = unit.clients.update(client);
        if (audit) unit.auditLog.append(audit);
      });
      const found = (updated?.changes ?? 0) > 0;
      this.client = found ? client : null;
      return found;
    });
  }

  /** Deletes the client (with its audit entry, atomically); false, writing nothing, when it does not exist. */
  async remove(clientId: string, audit?: AuditEntry): Promise<boolean> {
    return this.serialized(async () => {
      if ((await this.get(clientId)) === null) return false;
      let deleted: Written | undefined;
      await this.write((unit) => {
        deleted = unit.clients.delete(clientId);
        if (audit) unit.auditLog.append(audit);
      });
      this.client = null;
      return (deleted?.changes ?? 0) > 0;
    });
  }

  /** One store call on a connection of its own (Postgres: ended through waitUntil afterwards). */
  private store<T>(work: (clients: ClientStore) => Promise<T>): Promise<T> {
    return withStorage(this.env, this.ctx, (storage) => work(storage.clients));
  }

  /**
   * Writes run one at a time (no other call of this actor interleaves with their database I/O). A failure
   * is carried out of blockConcurrencyWhile, not thrown through it: that would reset the object.
   */
  private async serialized<T>(work: () => Promise<T>): Promise<T> {
    const outcome = await this.ctx.blockConcurrencyWhile(async () => {
      try {
        return { ok: true as const, value: await work() };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** One all-or-nothing change (Storage.atomically) on a connection of its own. */
  private write(build: (unit: UnitOfWork) => void): Promise<void> {
    return withStorage(this.env, this.ctx, (storage) => storage.atomically(build));
  }
}

/**
 * A write built from a copy read before an administrator revoked the registration access token (another
 * isolate's cached client) would carry the old token's hash: refused, so a revoked token stays revoked.
 */
function revivesRegistrationAccess(stored: ClientRecord, next: ClientRecord): boolean {
  return (
    next.registrationAccessTokenHash !== null &&
    next.registrationAccessTokenHash !== stored.registrationAccessTokenHash
  );
}
