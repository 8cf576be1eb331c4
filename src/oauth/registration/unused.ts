/**
 * Expiry of unused anonymous registrations. An anonymously registered client (open dynamic registration)
 * carries the internal metadata mark `anonymous_unused` until its first token: the token endpoint then
 * removes it, once (one write; later requests see the client without the mark, at most the client
 * cache's 10 s later in other isolates). A scheduled sweep deletes clients still marked
 * OAUTH2_DYNAMIC_REGISTRATION_UNUSED_TTL_SECS after they were registered. The mark is not RFC 7591
 * metadata, so registration responses never show it and updates keep it.
 */
import type { AuditEntry, ClientRecord, ClientStore } from '../../storage/ports';
import type { OAuthContext } from '../ports';
import { ANONYMOUS } from './audit';
import { isUnused, SELF_REGISTERED_MARK, UNUSED_MARK } from './provenance';

/** The client as registered by `actor`: marked self-registered and unused when the registration was anonymous. */
export function markIfAnonymous(client: ClientRecord, actor: string): ClientRecord {
  if (actor !== ANONYMOUS) return client;
  return { ...client, metadata: { ...client.metadata, [UNUSED_MARK]: true, [SELF_REGISTERED_MARK]: true } };
}

/**
 * After a token was issued to `client`: drops its unused mark (first token only). A failed write is
 * not the token's failure: the mark stays and the next token request tries again.
 */
export async function noteFirstUse(ctx: OAuthContext, client: ClientRecord): Promise<void> {
  if (!isUnused(client)) return;
  const { [UNUSED_MARK]: _mark, ...metadata } = client.metadata;
  try {
    await ctx.clients.replace({ ...client, metadata, updatedAt: ctx.clock.nowSecs() });
  } catch (error) {
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'could not record the first use of an anonymous registration',
        client_id: client.clientId,
        error: error instanceof Error ? error.name : 'unknown',
      }),
    );
  }
}

/** What the sweep needs: the listing of clients, and deletion through the registry (with its audit entry). */
export interface SweepPorts {
  clients: Pick<ClientStore, 'list'>;
  remove(clientId: string, audit: AuditEntry): Promise<boolean>;
  /** The audit entry of one deletion. */
  auditEntry(clientId: string): AuditEntry;
}

const PAGE_SIZE = 200;
/** A bound on one run's work; the next run continues. */
const MAX_PAGES = 100;

/** Deletes anonymous registrations still unused `ttlSecs` after they were made; their client_ids. */
export async function sweepUnused(ports: SweepPorts, ttlSecs: number, now: number): Promise<string[]> {
  if (ttlSecs <= 0) return [];
  const cutoff = now - ttlSecs;
  const deleted: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await ports.clients.list({ limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const client of result.items) {
      if (!isUnused(client) || client.createdAt > cutoff) continue;
      if (await ports.remove(client.clientId, ports.auditEntry(client.clientId)))
        deleted.push(client.clientId);
    }
    cursor = result.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return deleted;
}
