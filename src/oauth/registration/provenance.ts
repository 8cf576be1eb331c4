/**
 * Who put a client here: an administrator (the admin API, the bootstrap admin client, or registration
 * with an administrator's initial access token), or the client itself (open registration, a client ID
 * metadata document). A client that registered itself never uses a privileged scope for itself, and the
 * consent page says where it came from.
 */
import type { ClientRecord } from '../../storage/ports';
import { isUnused } from './unused';

/**
 * The permanent internal mark of an open registration (not RFC 7591 metadata, so never in a registration
 * response; kept by updates). Registrations made before the mark existed still carry the unused mark
 * until their first token, and could not register a privileged scope then.
 */
export const SELF_REGISTERED_MARK = 'self_registered';

/** Whether the client registered itself (its client_id is the https URL of its metadata document, or it was registered anonymously). */
export function registeredItself(client: ClientRecord): boolean {
  return (
    client.metadata[SELF_REGISTERED_MARK] === true ||
    isUnused(client) ||
    client.clientId.startsWith('https://')
  );
}
