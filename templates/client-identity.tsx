/**
 * The application asking, as the sign-in and consent pages name it: its registered name, its logo (only
 * an https URL, drawn at a bounded size), and links to its privacy policy and terms (https only, opened
 * without a referrer or an opener). Every value comes from a (possibly anonymous) registration: it is
 * escaped by JSX, and a URL that is not https is left out.
 */
import type { ClientRecord } from '../src/storage/ports';

/** Longest URL shown or linked (a registration allows longer ones; those are left out). */
const MAX_URL_LENGTH = 2048;
/** The logo is drawn in a square of this many CSS pixels at most. */
export const LOGO_SIZE = 48;

export interface ClientIdentity {
  /** client_name, or the client_id when it has none. */
  name: string;
  logoUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
}

/** `value` when it is an https URL (nothing else is ever put in a src or href), else null. */
export function httpsUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH) return null;
  const url = URL.parse(value);
  return url !== null && url.protocol === 'https:' && url.hostname !== '' ? url.href : null;
}

export function clientIdentity(client: ClientRecord): ClientIdentity {
  return {
    name: client.clientName ?? client.clientId,
    logoUri: httpsUrl(client.metadata.logo_uri),
    policyUri: httpsUrl(client.metadata.policy_uri),
    tosUri: httpsUrl(client.metadata.tos_uri),
  };
}

/** The logo, when there is one: alt text names the application; width and height are bounded. */
export function ClientLogo({ client }: { client: ClientIdentity }) {
  if (client.logoUri === null) return null;
  return (
    <img
      class="client-logo"
      src={client.logoUri}
      alt={`${client.name} logo`}
      width={LOGO_SIZE}
      height={LOGO_SIZE}
      referrerpolicy="no-referrer"
    />
  );
}

/** Links to the application's privacy policy and terms of service, when it registered them. */
export function ClientLinks({ client }: { client: ClientIdentity }) {
  if (client.policyUri === null && client.tosUri === null) return null;
  return (
    <p class="muted client-links">
      {client.policyUri !== null && (
        <a href={client.policyUri} rel="noopener noreferrer" target="_blank">
          Privacy policy of {client.name}
        </a>
      )}
      {client.policyUri !== null && client.tosUri !== null && ' · '}
      {client.tosUri !== null && (
        <a href={client.tosUri} rel="noopener noreferrer" target="_blank">
          Terms of service of {client.name}
        </a>
      )}
    </p>
  );
}
