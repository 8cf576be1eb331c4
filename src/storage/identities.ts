/**
 * The `identities` records: accounts at upstream providers (Google, GitHub, an OpenID provider, ...)
 * linked to local users, one row per `provider:subject` (unique). Nothing secret is stored: no upstream
 * token. Their store, `IdentityStore`, is in ./ports.ts with the other stores (it also reads users).
 */

export interface FederatedIdentityRecord {
  /** The provider id (`google`, `github`, a generic provider's id): the `{provider}` of its routes. */
  provider: string;
  /** The provider's stable user id (`sub`; GitHub's numeric user id). */
  subject: string;
  userId: string;
  /** The e-mail the provider reported when the link was made (informational). */
  email: string | null;
  createdAt: number;
}
