/**
 * WebAuthn Level 2 §5.1.4 / §13.4.9: the Relying Party a passkey is bound to. The RP ID is the issuer's
 * host name and the only origin a ceremony may come from is the issuer's origin, so a passkey made here
 * works for this issuer alone, and a page on any other origin (a phishing copy) cannot use it.
 */

export interface RelyingParty {
  /** The RP ID: the issuer's host name (no scheme, no port). */
  id: string;
  /** The one origin `clientDataJSON.origin` must name: the issuer's scheme, host and port. */
  origin: string;
  /** Shown by the authenticator beside the account name. */
  name: string;
}

/** The Relying Party of the issuer `issuer` (an absolute http(s) URL, already validated by the config). */
export function relyingParty(issuer: string): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name: url.hostname };
}
