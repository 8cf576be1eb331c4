/**
 * ClientActor: one per client_id, the authoritative hot copy of a registration. Every write to a
 * client goes through its actor (so concurrent updates are serialized and the copy stays fresh);
 * Workers read it through a per-isolate cache (src/oauth/client-registry.ts) and call the actor
 * only on a cache miss.
 */
import { DurableObject } from 'cloudflare:workers';
import { createStorage } from '../src/storage';
import type { ClientRecord } from '../src/storage/ports';

export class ClientActor extends DurableObject<Env> {
  /** undefined: not loaded yet; null: no such client. */
  private client: ClientRecord | null | undefined;

  async get(clientId: string): Promise<ClientRecord | null> {
    if (this.client === undefined) this.client = await this.store().get(clientId);
    return this.client;
  }

  async create(client: ClientRecord): Promise<void> {
    await this.store().create(client);
    this.client = client;
  }

  async replace(client: ClientRecord): Promise<boolean> {
    const updated = await this.store().update(client);
    this.client = updated ? client : null;
    return updated;
  }

  async remove(clientId: string): Promise<boolean> {
    const deleted = await this.store().delete(clientId);
    this.client = null;
    return deleted;
  }

  private store() {
    return createStorage(this.env).clients;
  }
}
