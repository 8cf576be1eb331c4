/**
 * Who still holds a scope, before it is deleted: the clients registered with it and the stored APIs
 * listing it. Clients are found by a bounded scan of the client store (MAX_CLIENTS_SCANNED, newest
 * first): beyond it a holder may be missed, and then its scope simply stops being granted.
 */
import { MAX_STORED_RESOURCES } from '../oauth/scopes/stored-registry';
import type { AdminContext } from './context';

/** How many clients a deletion scans at most. */
export const MAX_CLIENTS_SCANNED = 10_000;
/** How many holders an answer names at most. */
const MAX_NAMED = 10;
const PAGE = 200;

export interface ScopeHolders {
  clients: string[];
  apis: string[];
}

export async function scopeHolders(ctx: AdminContext, name: string): Promise<ScopeHolders> {
  const apis = (await ctx.storage.resources.all(MAX_STORED_RESOURCES))
    .filter((api) => api.scopes.includes(name))
    .map((api) => api.identifier)
    .slice(0, MAX_NAMED);
  const clients: string[] = [];
  let cursor: string | undefined;
  for (let scanned = 0; scanned < MAX_CLIENTS_SCANNED && clients.length < MAX_NAMED; scanned += PAGE) {
    const page = await ctx.storage.clients.list({ limit: PAGE, cursor });
    for (const client of page.items) {
      if (client.scope.split(' ').includes(name) && clients.length < MAX_NAMED) clients.push(client.clientId);
    }
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return { clients, apis };
}
