/**
 * Storage ports: the records admins list and search, behind one interface per aggregate.
 * Adapters: D1 (src/storage/d1) and Postgres (src/storage/pg). Every adapter passes the same
 * contract suites (src/storage/contract). Timestamps are Unix epoch seconds.
 *
 * Secrets are never stored: client secrets and registration access tokens as SHA-256 hashes
 * (base64url), passwords as a self-describing slow hash, private keys encrypted (AES-GCM).
 */

/** Paging: `limit` with either an opaque `cursor` (from `nextCursor`) or an `offset`. */
export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
  offset?: number | undefined;
}

/** Newest first, ties broken by id, so paging is stable. */
export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null when there is none. */
  nextCursor: string | null;
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface ClientRecord {
  clientId: string;
  /** SHA-256 (base64url) of the secret; null for public clients. */
  clientSecretHash: string | null;
  /** 0 = never expires (RFC 7591 §3.2.1). */
  clientSecretExpiresAt: number;
  /** SHA-256 (base64url) of the RFC 7592 registration access token; null when not registered dynamically. */
  registrationAccessTokenHash: string | null;
  clientName: string | null;
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  /** Space-separated scopes the client may request. */
  scope: string;
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Other RFC 7591 metadata (client_uri, logo_uri, contacts, ...), validated at the edge. */
  metadata: Record<string, unknown>;
  enabled: boolean;
  /** First-party clients skip the consent screen. */
  firstParty: boolean;
  createdAt: number;
  updatedAt: number;
}

export type UserRole = 'user' | 'admin';

export interface UserRecord {
  id: string;
  /** Unique, compared case-insensitively (stored lower-case). */
  username: string;
  email: string | null;
  name: string | null;
  /** Self-describing hash, e.g. `pbkdf2-sha256$100000$<salt>$<hash>`. */
  passwordHash: string;
  role: UserRole;
  enabled: boolean;
  /** Whether `email` was verified (OIDC `email_verified`); false when there is no e-mail. */
  emailVerified: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A grant (token family): what admins see and revoke. The TokenActor holds the live state. */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string | null;
  grantType: string;
  scope: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export type SigningKeyUse = 'access_token' | 'id_token';
/** `active` signs; `retiring` only verifies until `retiresAt`; `retired` is kept for the record. */
export type SigningKeyStatus = 'active' | 'retiring' | 'retired';

export interface SigningKeyRecord {
  kid: string;
  alg: string;
  use: SigningKeyUse;
  status: SigningKeyStatus;
  /** Public JWK (JSON). */
  publicJwk: string;
  /** Private JWK encrypted with OAUTH2_KEY_ENCRYPTION_KEY (see src/crypto/key-encryption.ts). */
  privateJwkEncrypted: string;
  createdAt: number;
  /** When a retiring key stops verifying; null while active. */
  retiresAt: number | null;
}

export interface AuditEntry {
  id: string;
  /** Who did it: a user id or a client id. */
  actorId: string;
  actorType: 'user' | 'client' | 'system';
  /** Dotted verb, e.g. `client.create`, `client.delete`, `key.rotate`. */
  action: string;
  targetKind: string;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
}

/**
 * A browser sign-in session. The cookie carries only an opaque 256-bit random value; the store keeps
 * its SHA-256 (`idHash`), so a database leak yields no usable cookie. `sid` is a separate random public
 * id (OIDC `sid` claim, front/back-channel logout); it never authenticates anything by itself.
 */
export interface SessionRecord {
  /** SHA-256 (base64url) of the cookie value. */
  idHash: string;
  /** Public session id (OIDC `sid`), unique. */
  sid: string;
  userId: string;
  /** When the user last authenticated with a credential (OIDC `auth_time`). */
  authTime: number;
  createdAt: number;
  /** Absolute end of the session; it is absent from `expiresAt` on (`expiresAt <= now`). */
  expiresAt: number;
}

/** A live session together with its user, as read in one query. */
export interface SessionWithUser {
  session: SessionRecord;
  user: UserRecord;
}

export interface GrantFilter extends PageRequest {
  clientId?: string | undefined;
  userId?: string | undefined;
}

export interface ClientStore {
  /** Throws ConflictError when the client_id exists. */
  create(client: ClientRecord): Promise<void>;
  get(clientId: string): Promise<ClientRecord | null>;
  /** Replaces the record; false when it does not exist. */
  update(client: ClientRecord): Promise<boolean>;
  delete(clientId: string): Promise<boolean>;
  list(page: PageRequest): Promise<Page<ClientRecord>>;
  count(): Promise<number>;
}

export interface UserStore {
  /** Throws ConflictError when the id or username exists. */
  create(user: UserRecord): Promise<void>;
  getById(id: string): Promise<UserRecord | null>;
  getByUsername(username: string): Promise<UserRecord | null>;
  /** Replaces the record; false when it does not exist. Throws ConflictError on a taken username. */
  update(user: UserRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  list(page: PageRequest): Promise<Page<UserRecord>>;
  count(): Promise<number>;
}

export interface SessionStore {
  /** Throws ConflictError when the idHash or the sid exists. */
  create(session: SessionRecord): Promise<void>;
  /**
   * The session with this cookie hash and its user, in one read; null when unknown, expired at `now`
   * (`expiresAt <= now`) or when its user no longer exists. Callers still check `user.enabled`.
   */
  get(idHash: string, now: number): Promise<SessionWithUser | null>;
  /** True when a session was deleted. */
  delete(idHash: string): Promise<boolean>;
  /** Ends every session of a user (password change, disabling, admin revocation); the number deleted. */
  deleteByUser(userId: string): Promise<number>;
  /** Drops sessions expired at `now`; the number deleted. */
  deleteExpired(now: number): Promise<number>;
}

export interface GrantStore {
  /** Inserts or replaces by id (idempotent: events may be delivered twice). */
  upsert(grant: GrantRecord): Promise<void>;
  get(id: string): Promise<GrantRecord | null>;
  list(filter: GrantFilter): Promise<Page<GrantRecord>>;
  /** Sets revokedAt if not yet set; false when the grant does not exist. */
  markRevoked(id: string, at: number): Promise<boolean>;
  /** Active = not revoked and not expired at `now`. */
  countActive(now: number): Promise<number>;
}

export interface SigningKeyStore {
  /** Every key, newest first. */
  list(): Promise<SigningKeyRecord[]>;
  /** Throws ConflictError when the kid exists. */
  insert(key: SigningKeyRecord): Promise<void>;
  setStatus(kid: string, status: SigningKeyStatus, retiresAt: number | null): Promise<boolean>;
}

export interface AuditLogStore {
  append(entry: AuditEntry): Promise<void>;
  list(page: PageRequest): Promise<Page<AuditEntry>>;
}

/** What a user has granted a client (remembered consent, OIDC Core §3.1.2.4). */
export interface ConsentRecord {
  userId: string;
  clientId: string;
  /** Space-separated scopes granted so far. */
  scope: string;
  createdAt: number;
  updatedAt: number;
}

export interface ConsentStore {
  get(userId: string, clientId: string): Promise<ConsentRecord | null>;
  /** Inserts or replaces the (user, client) consent. */
  put(consent: ConsentRecord): Promise<void>;
  /** false when there was none. */
  delete(userId: string, clientId: string): Promise<boolean>;
  /** Every consent of a user, newest first. */
  listByUser(userId: string): Promise<ConsentRecord[]>;
}

export interface Storage {
  clients: ClientStore;
  users: UserStore;
  sessions: SessionStore;
  consents: ConsentStore;
  grants: GrantStore;
  signingKeys: SigningKeyStore;
  auditLog: AuditLogStore;
  /** Throws StorageUnavailableError when the database cannot be reached. */
  healthcheck(): Promise<void>;
}

/** A unique constraint was violated (duplicate client_id, username, kid, ...). */
export class ConflictError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'ConflictError';
  }
}

/** The database is down, timed out or refused the connection. */
export class StorageUnavailableError extends Error {
  constructor(message = 'storage is unavailable', options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}
