/**
 * The `identities` port: accounts at upstream providers (Google, GitHub, an OpenID provider, ...) linked
 * to local users, one row per `provider:subject` (unique). Nothing secret is stored: no upstream token.
 */
import type { UserRecord } from './ports';

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

export interface IdentityStore {
  get(provider: string, subject: string): Promise<FederatedIdentityRecord | null>;
  /** Links an identity to an existing user. Throws ConflictError when `provider:subject` is linked already. */
  link(identity: FederatedIdentityRecord): Promise<void>;
  /**
   * Creates `user` and its first identity in one atomic step: both or neither. Throws ConflictError
   * when the user's id or username, or the identity, exists (then nothing is written).
   */
  createWithUser(user: UserRecord, identity: FederatedIdentityRecord): Promise<void>;
  /** The identities of a user, oldest first. */
  listByUser(userId: string): Promise<FederatedIdentityRecord[]>;
  /** false when there was none. */
  delete(provider: string, subject: string): Promise<boolean>;
  /** Users whose e-mail equals `email` ignoring ASCII case, at most `limit` (for linking by e-mail). */
  findUsersByEmail(email: string, limit: number): Promise<UserRecord[]>;
}
