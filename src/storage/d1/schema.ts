/** D1 (SQLite) schema for the storage ports; source of the drizzle-kit migrations in migrations/d1. */
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { DenyKind, SigningKeyStatus, SigningKeyUse, TokenEndpointAuthMethod, UserRole } from '../ports';

/**
 * OAuth clients (ClientRecord). Secrets are never stored: `client_secret_hash` and
 * `registration_access_token_hash` hold SHA-256 (base64url) digests, null for public / static clients.
 * `redirect_uris`, `grant_types`, `response_types` are JSON string arrays; `metadata` is a JSON object
 * of the remaining RFC 7591 fields. Booleans are 0/1; timestamps are epoch seconds.
 */
export const clients = sqliteTable(
  'clients',
  {
    clientId: text('client_id').primaryKey(),
    clientSecretHash: text('client_secret_hash'),
    clientSecretExpiresAt: integer('client_secret_expires_at').notNull(),
    registrationAccessTokenHash: text('registration_access_token_hash'),
    clientName: text('client_name'),
    redirectUris: text('redirect_uris', { mode: 'json' }).$type<string[]>().notNull(),
    grantTypes: text('grant_types', { mode: 'json' }).$type<string[]>().notNull(),
    responseTypes: text('response_types', { mode: 'json' }).$type<string[]>().notNull(),
    scope: text('scope').notNull(),
    tokenEndpointAuthMethod: text('token_endpoint_auth_method').$type<TokenEndpointAuthMethod>().notNull(),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    firstParty: integer('first_party', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('clients_created_at_id_idx').on(t.createdAt, t.clientId)],
);

/**
 * Users (UserRecord). `username` is stored lower-case and unique. Passwords are never stored: only
 * `password_hash`, a self-describing slow hash (`pbkdf2-sha256$<iterations>$<salt>$<hash>`).
 * `email_verified` (0/1) backs the OIDC `email_verified` claim.
 */
export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull().unique('users_username_unique'),
    email: text('email'),
    name: text('name'),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('users_created_at_id_idx').on(t.createdAt, t.id)],
);

/**
 * Browser sessions (SessionRecord). The cookie value is never stored: `id_hash` is its SHA-256
 * (base64url). `sid` is a separate random public id for OIDC `sid` claims. `user_id` refers to
 * `users.id` without a foreign key: a deleted user's sessions are dropped by `SessionStore.get`'s
 * join and by `deleteByUser`/`deleteExpired`. Timestamps are epoch seconds; `expires_at` is absolute.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    sid: text('sid').notNull().unique('sessions_sid_unique'),
    userId: text('user_id').notNull(),
    authTime: integer('auth_time').notNull(),
    amr: text('amr'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_expires_at_idx').on(t.expiresAt)],
);

/**
 * Grants (GrantRecord): the admin-facing view of a token family. No token or code values are kept
 * here (the TokenActor holds only their hashes). `revoked_at` is null until the first revocation.
 */
export const grants = sqliteTable(
  'grants',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id').notNull(),
    userId: text('user_id'),
    grantType: text('grant_type').notNull(),
    scope: text('scope').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    /** The sign-in session (OIDC `sid`) the grant was made in; null for grants without a user session. */
    sid: text('sid'),
  },
  (t) => [
    index('grants_created_at_id_idx').on(t.createdAt, t.id),
    index('grants_client_id_idx').on(t.clientId),
    index('grants_user_id_idx').on(t.userId),
    index('grants_sid_idx').on(t.sid),
  ],
);

/**
 * Signing keys (SigningKeyRecord). `public_jwk` is the public JWK as JSON text; the private key is
 * stored only encrypted (AES-GCM under OAUTH2_KEY_ENCRYPTION_KEY) in `private_jwk_encrypted`.
 */
export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg').notNull(),
    use: text('use').$type<SigningKeyUse>().notNull(),
    status: text('status').$type<SigningKeyStatus>().notNull(),
    publicJwk: text('public_jwk').notNull(),
    privateJwkEncrypted: text('private_jwk_encrypted').notNull(),
    createdAt: integer('created_at').notNull(),
    retiresAt: integer('retires_at'),
  },
  (t) => [index('signing_keys_created_at_kid_idx').on(t.createdAt, t.kid)],
);

/**
 * Audit log (AuditEntry), append-only. `metadata` is a JSON object; callers must not put secrets,
 * codes or tokens in it (only ids and hashes).
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    actorId: text('actor_id').notNull(),
    actorType: text('actor_type').$type<'user' | 'client' | 'system'>().notNull(),
    action: text('action').notNull(),
    targetKind: text('target_kind').notNull(),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('audit_log_created_at_id_idx').on(t.createdAt, t.id)],
);

/**
 * Remembered consent (ConsentRecord): one row per (user, client), `scope` the space-separated scopes
 * granted so far. No foreign keys: deleting a user or client leaves rows that match nothing.
 */
export const consents = sqliteTable(
  'consents',
  {
    userId: text('user_id').notNull(),
    clientId: text('client_id').notNull(),
    scope: text('scope').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientId] }), index('consents_client_id_idx').on(t.clientId)],
);

/**
 * Denylist (DenyEntry): one row per (kind, value), enforced before authentication. `value` is already
 * normalised (canonical IP address or CIDR block, lower-cased username or e-mail, user id, client_id).
 * `expires_at` is null for an entry that stays until deleted. Workers read the entries in force into a
 * per-isolate cache (src/denylist/cache.ts), never per request.
 */
export const denylist = sqliteTable(
  'denylist',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<DenyKind>().notNull(),
    value: text('value').notNull(),
    reason: text('reason'),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
  },
  (t) => [
    uniqueIndex('denylist_kind_value_unique').on(t.kind, t.value),
    index('denylist_created_at_id_idx').on(t.createdAt, t.id),
    index('denylist_expires_at_idx').on(t.expiresAt),
  ],
);

/**
 * Recent events (EventRecord), written by the queue consumer (src/events/plugins/storage.ts). Duplicate
 * deliveries record nothing: `id` is the primary key and `idempotency_key` is unique, and inserts ignore
 * conflicts. `metadata` is a JSON object without secrets (the envelope builder drops secret-named keys).
 * `time` is epoch seconds; rows older than OAUTH2_EVENTS_RETENTION_DAYS are deleted by the consumer.
 */
export const events = sqliteTable(
  'events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    time: integer('time').notNull(),
    severity: text('severity').$type<'info' | 'warning' | 'error'>().notNull(),
    userId: text('user_id'),
    clientId: text('client_id'),
    metadata: text('metadata', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    traceparent: text('traceparent'),
  },
  (t) => [
    uniqueIndex('events_idempotency_key_unique').on(t.idempotencyKey),
    index('events_time_id_idx').on(t.time, t.id),
    index('events_client_id_time_idx').on(t.clientId, t.time),
    index('events_user_id_time_idx').on(t.userId, t.time),
    index('events_type_time_idx').on(t.type, t.time),
  ],
);

/**
 * Pending RFC 8628 device authorizations (DeviceAuthorizationRecord, src/storage/ports.ts):
 * an index for operators, one row per normalised user code; the AuthActor stays the source of truth.
 * No device code and nothing secret.
 */
export const deviceAuthorizations = sqliteTable(
  'device_authorizations',
  {
    userCode: text('user_code').primaryKey(),
    clientId: text('client_id').notNull(),
    scope: text('scope').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    index('device_authorizations_created_at_user_code_idx').on(t.createdAt, t.userCode),
    index('device_authorizations_expires_at_idx').on(t.expiresAt),
  ],
);

/** Upstream accounts linked to users (src/storage/identities.ts). */
export { federatedIdentities } from './identity-schema';

/** Scopes and APIs defined through the admin API (registry-schema.ts). */
export { resources, scopes } from './registry-schema';

/**
 * Second factors (src/storage/mfa.ts), each row deleted with its user (ON DELETE CASCADE):
 * - `totp_factors`: one per user; `secret_encrypted` is the base32 secret sealed with AES-GCM (never the
 *   secret itself); `last_used_step` the last accepted RFC 6238 time step (single use); `confirmed` 0/1.
 * - `recovery_codes`: SHA-256 (base64url) of each unused one-time code; a used code's row is deleted.
 * - `passkeys`: WebAuthn credentials by credential id (base64url), with the COSE public key (base64url),
 *   the signature counter and `transports` as a JSON string array; `backed_up` 0/1.
 */
const userRef = () =>
  text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

export const totpFactors = sqliteTable('totp_factors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretEncrypted: text('secret_encrypted').notNull(),
  confirmed: integer('confirmed', { mode: 'boolean' }).notNull(),
  lastUsedStep: integer('last_used_step').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    userId: userRef(),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ name: 'recovery_codes_pk', columns: [t.userId, t.codeHash] })],
);

export const passkeys = sqliteTable(
  'passkeys',
  {
    credentialId: text('credential_id').primaryKey(),
    userId: userRef(),
    publicKey: text('public_key').notNull(),
    signCount: integer('sign_count').notNull(),
    transports: text('transports', { mode: 'json' }).$type<string[]>().notNull(),
    name: text('name').notNull(),
    deviceType: text('device_type').$type<'singleDevice' | 'multiDevice'>().notNull(),
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [index('passkeys_user_id_idx').on(t.userId)],
);

/**
 * Issuers of JWT authorization grants (TrustedIssuerRecord, RFC 7523 §2.1). `issuer` (the `iss` of their
 * assertions) is unique; `jwks` is a JSON JWK Set of public keys or null when `jwks_uri` is set;
 * `allowed_subjects` (`["*"]` for any) and `allowed_scopes` are JSON string arrays. No secret is stored.
 */
export const trustedIssuers = sqliteTable(
  'trusted_issuers',
  {
    id: text('id').primaryKey(),
    issuer: text('issuer').notNull(),
    jwks: text('jwks', { mode: 'json' }).$type<{ keys: Record<string, unknown>[] }>(),
    jwksUri: text('jwks_uri'),
    allowedSubjects: text('allowed_subjects', { mode: 'json' }).$type<string[]>().notNull(),
    allowedScopes: text('allowed_scopes', { mode: 'json' }).$type<string[]>().notNull(),
    audience: text('audience'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('trusted_issuers_issuer_unique').on(t.issuer),
    index('trusted_issuers_created_at_id_idx').on(t.createdAt, t.id),
  ],
);
