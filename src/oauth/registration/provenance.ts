/**
 * Who put a client here: an administrator (the admin API, the bootstrap admin client, or registration
 * with an administrator's initial access token), or the client itself (open registration, a client ID
 * metadata document). A client that registered itself never uses a privileged scope for itself, and the
 * consent page says where it came from.
 */
import type { ClientRecord } from '../../storage/ports';

/**
 * The permanent internal mark of an open registration (not RFC 7591 metadata, so never in a registration
 * response; kept by updates). Registrations made before the mark existed still carry the unused mark
 * until their first token, and could not register a privileged scope then.
 */
export const SELF_REGISTERED_MARK = 'self_registered';

/**
 * The internal mark of an anonymous registration that has not had a token yet (see ./unused.ts: the
 * token endpoint drops it, a scheduled sweep deletes clients still carrying it).
 */
export const UNUSED_MARK = 'anonymous_unused';

export function isUnused(client: ClientRecord): boolean {
  return client.metadata[UNUSED_MARK] === true;
}

/** Whether the client registered itself (its client_id is the https URL of its metadata document, or it was registered anonymously). */
export function registeredItself(client: ClientRecord): boolean {
  return (
    client.metadata[SELF_REGISTERED_MARK] === true ||
    isUnused(client) ||
    client.clientId.startsWith('https://')
  );
}
