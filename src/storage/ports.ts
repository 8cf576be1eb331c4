/**
 * Storage ports: the records admins list and search, behind one interface per aggregate.
 * Adapters: D1 (src/storage/d1) and Postgres (src/storage/pg). Every adapter passes the same
 * contract suites (src/storage/contract). Timestamps are Unix epoch seconds.
 *
 * Secrets are never stored: client secrets and registration access tokens as SHA-256 hashes
 * (base64url), passwords as a self-describing slow hash, private keys encrypted (AES-GCM).
 */
import type { FederatedIdentityRecord } from './identities';
import type { MfaStore } from './mfa';

export type { FederatedIdentityRecord } from './identities';
export type { UserFactors } from './mfa';

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

export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'none';

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
  /**
   * The public id (OIDC `sid`) of the sign-in session the grant was made in (code and device grants);
   * null or absent when there was none (client credentials, grants recorded before the column existed).
   */
  sid?: string | null;
}

export type SigningKeyUse = 'access_token' | 'id_token';
/**
 * `next` is published (verifies) but does not sign yet (scheduled rotation's pre-publication); `active`
 * signs; `retiring` only verifies until `retiresAt`; `retired` is kept for the record.
 */
export type SigningKeyStatus = 'next' | 'active' | 'retiring' | 'retired';

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
  /**
   * How the user signed in: RFC 8176 `amr` values, space-separated (`pwd` for the password form); null
   * when nothing can be asserted (a federated sign-in, or a session from before the column existed).
   */
  amr?: string | null;
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
  /** Only grants made in this sign-in session (`GrantRecord.sid`). */
  sid?: string | undefined;
  /** Only grants neither revoked nor expired at this time (`expiresAt > activeAt`). */
  activeAt?: number | undefined;
}

/** Listing clients: only those whose client_id or client_name contains `q` (case-insensitive), when given. */
export interface ClientFilter extends PageRequest {
  q?: string | undefined;
}

/** Listing users: only those whose username, email or name contains `q` (case-insensitive), when given. */
export interface UserFilter extends PageRequest {
  q?: string | undefined;
}

/** How many records were created on one UTC day. */
export interface DailyCount {
  /** The UTC day: floor(epoch seconds / 86400). */
  day: number;
  count: number;
}

/** What a denylist entry matches: a client address, a user id, a username, an e-mail or a client_id. */
export type DenyKind = 'ip' | 'user' | 'username' | 'email' | 'client';

/**
 * A denylist entry, enforced before authentication. `value` is normalised by the admin service: an IP
 * address or CIDR block in canonical form, a lower-cased username or e-mail, a user id, a client_id.
 */
export interface DenyEntry {
  id: string;
  kind: DenyKind;
  value: string;
  reason: string | null;
  /** The admin (user id or client id) who added it. */
  createdBy: string;
  createdAt: number;
  /** Not in force from this time on (`expiresAt <= now`); null = until deleted. */
  expiresAt: number | null;
}

export interface DenylistFilter extends PageRequest {
  kind?: DenyKind | undefined;
}

/**
 * The records of one kind that operators manage (clients, users, scopes, APIs, trusted issuers), each
 * under its key, listed by page newest first (ties by key).
 */
export interface RecordStore<R, F extends PageRequest = PageRequest> {
  /** Throws ConflictError when a record with that key (or another unique field) exists. */
  create(record: R): Promise<void>;
  get(key: string): Promise<R | null>;
  /** Replaces every field but the key and createdAt; false when there was none; ConflictError on a taken unique field. */
  update(record: R): Promise<boolean>;
  /** false when there was none. */
  delete(key: string): Promise<boolean>;
  list(filter: F): Promise<Page<R>>;
}

/** Clients, keyed by client_id. */
export interface ClientStore extends RecordStore<ClientRecord, ClientFilter> {
  count(): Promise<number>;
}

/** Accounts at upstream providers linked to users (FederatedIdentityRecord, ./identities.ts). */
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

/** Users, keyed by id; `username` is unique too. */
export interface UserStore extends Omit<RecordStore<UserRecord, UserFilter>, 'get'> {
  getById(id: string): Promise<UserRecord | null>;
  getByUsername(username: string): Promise<UserRecord | null>;
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
  /**
   * The public ids (`sid`) of the user's sessions live at `now` (at most 1000, newest first), read
   * before the sessions are ended so that back-channel logout can name each of them.
   */
  sidsByUser(userId: string, now: number): Promise<string[]>;
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
  /** Grants created in [from, to) per UTC day, ascending; days without grants are left out. */
  countCreatedByDay(from: number, to: number): Promise<DailyCount[]>;
}

export interface SigningKeyStore {
  /** Every key, newest first. */
  list(): Promise<SigningKeyRecord[]>;
  /** Throws ConflictError when the kid exists. */
  insert(key: SigningKeyRecord): Promise<void>;
  setStatus(kid: string, status: SigningKeyStatus, retiresAt: number | null): Promise<boolean>;
}

export interface DenylistStore {
  /** Throws ConflictError when an entry of the same kind and value exists (expired or not). */
  add(entry: DenyEntry): Promise<void>;
  get(id: string): Promise<DenyEntry | null>;
  /** false when there was none. */
  delete(id: string): Promise<boolean>;
  /** Every entry (expired ones too), newest first, optionally of one kind. */
  list(filter: DenylistFilter): Promise<Page<DenyEntry>>;
  /** The entries in force at `now` (`expiresAt` null or > now), newest first, at most `limit`. */
  listActive(now: number, limit: number): Promise<DenyEntry[]>;
  /** Drops the entries expired at `now`; the number deleted. */
  deleteExpired(now: number): Promise<number>;
}

export interface AuditLogStore {
  append(entry: AuditEntry): Promise<void>;
  list(page: PageRequest): Promise<Page<AuditEntry>>;
}

/**
 * A domain event as the recent-events store keeps it (written by the queue consumer; see src/events).
 * `metadata` never holds a token, code, secret, password or cookie (the envelope builder drops such keys).
 */
export interface EventRecord {
  /** The envelope id (UUIDv7 for events this server produced: sorts by time). */
  id: string;
  /** Event type, e.g. `token_created`. */
  type: string;
  /** When it happened, epoch seconds. */
  time: number;
  severity: 'info' | 'warning' | 'error';
  userId: string | null;
  clientId: string | null;
  metadata: Record<string, unknown>;
  /** Unique: a second event with the same key is a duplicate and is not recorded. */
  idempotencyKey: string;
  /** W3C traceparent of the request that produced it. */
  traceparent: string | null;
}

/** Listing events: newest first (by time, then id), optionally of one type, client or user. */
export interface EventFilter extends PageRequest {
  type?: string | undefined;
  clientId?: string | undefined;
  userId?: string | undefined;
}

/** The recent-events store: idempotent writes (duplicate deliveries record nothing), bounded by retention. */
export interface EventStore {
  /** Records the event unless one with the same id or idempotency key exists; true when it was new. */
  record(event: EventRecord): Promise<boolean>;
  /**
   * Records many in one round trip, in order (as `record` one after the other, in one transaction where the
   * database allows): for each event, true when it was new. A later duplicate of an earlier one is false.
   */
  recordMany(events: EventRecord[]): Promise<boolean[]>;
  get(id: string): Promise<EventRecord | null>;
  list(filter: EventFilter): Promise<Page<EventRecord>>;
  /** Deletes up to `limit` events with `time < before`, oldest first; the number deleted. */
  deleteBefore(before: number, limit: number): Promise<number>;
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

/**
 * A scope an operator defined at run time (the admin API), beside those of the configuration. `name` is an
 * RFC 6749 §3.3 scope-token, unique; never a built-in scope (the admin service checks).
 */
export interface ScopeRecord {
  name: string;
  /** Plain words for the consent and device pages. */
  description: string;
  /** Listed in discovery `scopes_supported`. */
  advertise: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Stored scopes, keyed by name (an update replaces description, advertise and updatedAt). */
export interface ScopeStore extends RecordStore<ScopeRecord> {
  /** Every scope, oldest first, at most `limit` (for the per-isolate registry). */
  all(limit: number): Promise<ScopeRecord[]>;
}

/**
 * An API (protected resource, RFC 8707 / RFC 9728) an operator defined at run time. `identifier` is its
 * resource URI, unique: the `aud` of tokens for its scopes. `scopes` are names of stored scopes.
 */
export interface ResourceRecord {
  id: string;
  identifier: string;
  name: string | null;
  scopes: string[];
  /** null: the server-wide format. */
  accessTokenFormat: 'jwt' | 'opaque' | null;
  /** null: the server-wide lifetime. */
  accessTokenTtlSecs: number | null;
  createdAt: number;
  updatedAt: number;
}

/** Stored APIs, keyed by id; `identifier` is unique too. */
export interface ResourceStore extends RecordStore<ResourceRecord> {
  /** Every API, oldest first, at most `limit` (for the per-isolate registry). */
  all(limit: number): Promise<ResourceRecord[]>;
}

/**
 * An issuer whose signed assertions (RFC 7523 §2.1) may be traded for access tokens. `issuer` is the `iss`
 * its assertions carry (unique); its keys are an inline JWK Set (`jwks`, public keys) or `jwksUri`, exactly
 * one of them. `allowedSubjects` lists the exact `sub` values it may assert, or is `['*']` for any;
 * `allowedScopes` bounds what its assertions obtain; `audience`, when set, is an extra accepted `aud`.
 */
export interface TrustedIssuerRecord {
  id: string;
  issuer: string;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  allowedSubjects: string[];
  allowedScopes: string[];
  audience: string | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** Trusted issuers, keyed by id; `issuer` is unique too. */
export interface TrustedIssuerStore extends RecordStore<TrustedIssuerRecord> {
  /** The one whose `issuer` is exactly `issuer`. */
  getByIssuer(issuer: string): Promise<TrustedIssuerRecord | null>;
}

/**
 * The `device_authorizations` index: the pending RFC 8628 device authorizations, one row per user code,
 * so that operators can list them without asking every AuthActor shard. It is a view: the AuthActor of
 * the user code's shard stays the source of truth (a row may outlive its authorization until the sweep,
 * and an authorization whose row was never written still works). Nothing secret is stored: no device
 * code, only the user code the user types, the client and the requested scope.
 */
export interface DeviceAuthorizationRecord {
  /** The normalised user code (8 letters, no dash; src/oauth/device/codes.ts). */
  userCode: string;
  clientId: string;
  /** Space-separated requested (and validated) scopes. */
  scope: string;
  createdAt: number;
  expiresAt: number;
}

/** The index of pending device authorizations, paged newest first (ties by user code). */
export interface DeviceAuthorizationStore {
  /** Records a pending authorization; replaces an older row of the same user code (a code drawn again). */
  put(record: DeviceAuthorizationRecord): Promise<void>;
  get(userCode: string): Promise<DeviceAuthorizationRecord | null>;
  /** Removes the row of a decided or expired authorization; false when there was none. */
  delete(userCode: string): Promise<boolean>;
  /** The rows still unexpired at `now`. */
  list(page: PageRequest, now: number): Promise<Page<DeviceAuthorizationRecord>>;
  /** Deletes the rows expired at `now` (the sweep); answers how many. */
  deleteExpired(now: number): Promise<number>;
}

/** One write of a unit of work: `changes` (rows it changed) is set once the whole unit has committed. */
export interface Written {
  readonly changes: number;
}

/**
 * The writes a unit of work can hold (see `Storage.atomically`). Each has the meaning of the store method
 * of the same name (`consents.deleteByUser`: every consent of a user) and answers a `Written` handle
 * (`grants.markRevoked`: 1 when it set `revokedAt`, 0 when the grant was already revoked or is unknown).
 */
export interface UnitOfWork {
  clients: {
    create(client: ClientRecord): Written;
    update(client: ClientRecord): Written;
    delete(clientId: string): Written;
  };
  users: {
    create(user: UserRecord): Written;
    update(user: UserRecord): Written;
    delete(id: string): Written;
  };
  sessions: { deleteByUser(userId: string): Written };
  consents: { deleteByUser(userId: string): Written };
  /** Every second factor of a user (TOTP, recovery codes, passkeys); `changes` counts the rows removed. */
  mfa: { deleteAllFactors(userId: string): Written };
  grants: { markRevoked(id: string, at: number): Written };
  /** `add` fails the unit with ConflictError when an entry of the same kind and value exists. */
  denylist: {
    add(entry: DenyEntry): Written;
    delete(id: string): Written;
  };
  signingKeys: {
    insert(key: SigningKeyRecord): Written;
    setStatus(kid: string, status: SigningKeyStatus, retiresAt: number | null): Written;
  };
  auditLog: { append(entry: AuditEntry): Written };
}

export interface Storage {
  clients: ClientStore;
  users: UserStore;
  sessions: SessionStore;
  consents: ConsentStore;
  grants: GrantStore;
  signingKeys: SigningKeyStore;
  auditLog: AuditLogStore;
  denylist: DenylistStore;
  events: EventStore;
  /** Scopes defined through the admin API. */
  scopes: ScopeStore;
  /** APIs (protected resources) defined through the admin API. */
  resources: ResourceStore;
  /** Upstream accounts linked to users (src/storage/identities.ts). */
  identities: IdentityStore;
  /** Issuers of JWT authorization grants (RFC 7523 §2.1), managed by administrators. */
  trustedIssuers: TrustedIssuerStore;
  /** Second factors of users: TOTP, recovery codes, passkeys (src/storage/mfa.ts). */
  mfa: MfaStore;
  /** The index of pending device authorizations (DeviceAuthorizationRecord). */
  deviceAuthorizations: DeviceAuthorizationStore;
  /**
   * Runs the writes `build` queues on `unit` as one all-or-nothing change, in order: D1 as one `batch()`,
   * PostgreSQL as one transaction. When any write fails (ConflictError, InvalidValueError,
   * StorageUnavailableError, ...) none is kept and that error is thrown. `build` only queues (it runs
   * synchronously, before anything is written); read what the writes depend on before calling this,
   * and check the `Written` handles afterwards.
   */
  atomically(build: (unit: UnitOfWork) => void): Promise<void>;
  /** Throws StorageUnavailableError when the database cannot be reached. */
  healthcheck(): Promise<void>;
}

/** One counter of the attempt throttle (the LoginThrottle Durable Objects): `limit` attempts per window under `name`. */
export interface ThrottleKey {
  name: string;
  limit: number;
}

/** A reservation on every key of an attempt, or the refusal of the first full one. */
export type ThrottleReservation =
  | { granted: true; keys: readonly ThrottleKey[]; at: number }
  | { granted: false; retryAfterSecs: number };

/**
 * The attempt throttle as its users see it: the sign-in form (src/sign-in/login-throttle.ts) and the
 * device flow's user-code entry (src/oauth/device/verification.ts).
 */
export interface AttemptThrottle {
  /**
   * Reserves one attempt on every key; granted only when each had room. A refused attempt leaves no
   * reservation behind, so it costs nothing on the keys that still had room.
   */
  reserve(keys: readonly ThrottleKey[]): Promise<ThrottleReservation>;
  /** Gives a granted reservation back: the attempt did not fail. */
  release(reservation: ThrottleReservation & { granted: true }): Promise<void>;
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

/**
 * A value the database cannot store, e.g. a NUL character in PostgreSQL text or jsonb (D1 stores it).
 * Lookups by such a value find nothing instead; a write carrying one throws this (answered 400).
 */
export class InvalidValueError extends Error {
  constructor(what: string) {
    super(`${what} has a value the database cannot store`);
    this.name = 'InvalidValueError';
  }
}
