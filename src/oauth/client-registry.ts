/**
 * Client lookups for the hot path. Reads go through a per-isolate cache with a staleness bound of
 * CLIENT_CACHE_TTL_SECS: a client disabled, deleted or given a new secret in another isolate is
 * seen here within that bound (at once in the isolate that made the change). The bootstrap admin
 * client (OAUTH2_ADMIN_CLIENT_ID/_SECRET) is defined by configuration and exists from the first request.
 */
import type { Config } from '../config';
import { sha256 } from '../crypto/hash';
import type { AuditEntry, ClientRecord } from '../storage/ports';
import type { ClientRegistry } from './ports';

export const CLIENT_CACHE_TTL_SECS = 10;
const MAX_CACHED_CLIENTS = 10_000;

/** The actor side: one authoritative copy per client_id. */
export interface ClientActorPort {
  get(clientId: string): Promise<ClientRecord | null>;
  create(client: ClientRecord, audit?: AuditEntry): Promise<void>;
  replace(client: ClientRecord, audit?: AuditEntry): Promise<boolean>;
  remove(clientId: string, audit?: AuditEntry): Promise<boolean>;
}

/** The scopes of the bootstrap admin client. */
export const ADMIN_CLIENT_SCOPE = 'admin read write';

export async function bootstrapAdminClient(config: Config): Promise<ClientRecord | null> {
  if (!config.adminClient) return null;
  return {
    clientId: config.adminClient.clientId,
    clientSecretHash: await sha256(config.adminClient.clientSecret),
    clientSecretExpiresAt: 0,
    registrationAccessTokenHash: null,
    clientName: 'Bootstrap admin client',
    redirectUris: [],
    grantTypes: ['client_credentials'],
    responseTypes: [],
    scope: ADMIN_CLIENT_SCOPE,
    tokenEndpointAuthMethod: 'client_secret_basic',
    metadata: { bootstrap: true },
    enabled: true,
    firstParty: true,
    createdAt: 0,
    updatedAt: 0,
  };
}

export class CachedClientRegistry implements ClientRegistry {
  private readonly cache = new Map<string, { client: ClientRecord; fetchedAt: number }>();
  /** Computed by the first caller; never a promise shared between requests (see KeyCache). */
  private admin: ClientRecord | null | undefined;

  constructor(
    private readonly actor: ClientActorPort,
    private readonly config: Config,
    private readonly now: () => number,
  ) {}

  async get(clientId: string): Promise<ClientRecord | null> {
    if (clientId === this.config.adminClient?.clientId) {
      if (this.admin === undefined) this.admin = await bootstrapAdminClient(this.config);
      return this.admin;
    }
    const hit = this.cache.get(clientId);
    if (hit && this.now() - hit.fetchedAt < CLIENT_CACHE_TTL_SECS) return hit.client;
    const client = await this.actor.get(clientId);
    this.remember(clientId, client);
    return client;
  }

  async create(client: ClientRecord, audit?: AuditEntry): Promise<void> {
    await this.actor.create(client, audit);
    this.remember(client.clientId, client);
  }

  async replace(client: ClientRecord, audit?: AuditEntry): Promise<boolean> {
    const updated = await this.actor.replace(client, audit);
    this.remember(client.clientId, updated ? client : null);
    return updated;
  }

  async remove(clientId: string, audit?: AuditEntry): Promise<boolean> {
    this.cache.delete(clientId);
    return this.actor.remove(clientId, audit);
  }

  private remember(clientId: string, client: ClientRecord | null): void {
    if (!client) {
      this.cache.delete(clientId);
      return;
    }
    if (this.cache.size >= MAX_CACHED_CLIENTS) this.cache.clear();
    this.cache.set(clientId, { client, fetchedAt: this.now() });
  }
}
