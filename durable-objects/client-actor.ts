/**
 * ClientActor: one per client_id, the authoritative hot copy of a registration. Every write to a
 * client goes through its actor (so concurrent updates are serialized and the copy stays fresh);
 * Workers read it through a per-isolate cache (src/oauth/client-registry.ts) and call the actor
 * only on a cache miss.
 */
import { DurableObject } from 'cloudflare:workers';
import { withStorage } from '../src/storage';
import type { ClientRecord, ClientStore } from '../src/storage/ports';

export class ClientActor extends DurableObject<Env> {
  /** undefined: not loaded yet; null: no such client. */
  private client: ClientRecord | null | undefined;

  async get(clientId: string): Promise<ClientRecord | null> {
    if (this.client === undefined) this.client = await this.store((clients) => clients.get(clientId));
    return this.client;
  }

  async create(client: ClientRecord): Promise<void> {
    await this.store((clients) => clients.create(client));
    this.client = client;
  }

  async replace(client: ClientRecord): Promise<boolean> {
    const updated = await this.store((clients) => clients.update(client));
    this.client = updated ? client : null;
    return updated;
  }

  async remove(clientId: string): Promise<boolean> {
    const deleted = await this.store((clients) => clients.delete(clientId));
    this.client = null;
    return deleted;
  }

  /** One store call on a connection of its own (Postgres: ended through waitUntil afterwards). */
  private store<T>(work: (clients: ClientStore) => Promise<T>): Promise<T> {
    return withStorage(this.env, this.ctx, (storage) => work(storage.clients));
  }
}
