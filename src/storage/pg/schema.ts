/**
 * PostgreSQL schema for the storage ports; source of the drizzle-kit migrations in migrations/pg
 * (`npm run db:generate:pg`). Same tables, columns and indexes as the D1 schema (src/storage/d1/schema.ts),
 * with native types: `boolean`, `jsonb`, and `bigint` epoch seconds (read back as JS numbers).
 *
 * Ids that listings sort by use `COLLATE "C"` (byte order): the contract's newest-first order breaks
 * ties by id in code-unit order, and a keyset cursor (`id < $cursor`) must compare exactly as ORDER BY
 * does. A database's default collation (en_US, ICU, ...) orders case and punctuation differently.
 */
import {
  bigint,
  boolean,
  customType,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { DenyKind, SigningKeyStatus, SigningKeyUse, TokenEndpointAuthMethod, UserRole } from '../ports';

/** `text COLLATE "C"`: compared and ordered byte by byte, whatever the database's default collation. */
const byteOrderedText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text COLLATE "C"',
});

/** Epoch seconds: int8 in the database, a JS number (safe up to 2^53) in the records. */
const epochSeconds = (name: string) => bigint(name, { mode: 'number' });

/**
 * OAuth clients (ClientRecord). Secrets are never stored: `client_secret_hash` and
 * `registration_access_token_hash` hold SHA-256 (base64url) digests, null for public / static clients.
 * `redirect_uris`, `grant_types`, `response_types` are jsonb string arrays; `metadata` is a jsonb object
 * of the remaining RFC 7591 fields.
 */
export const clients = pgTable(
  'clients',
  {
    clientId: byteOrderedText('client_id').primaryKey(),
    clientSecretHash: text('client_secret_hash'),
    clientSecretExpiresAt: epochSeconds('client_secret_expires_at').notNull(),
    registrationAccessTokenHash: text('registration_access_token_hash'),
    clientName: text('client_name'),
    redirectUris: jsonb('redirect_uris').$type<string[]>().notNull(),
    grantTypes: jsonb('grant_types').$type<string[]>().notNull(),
    responseTypes: jsonb('response_types').$type<string[]>().notNull(),
    scope: text('scope').notNull(),
    tokenEndpointAuthMethod: text('token_endpoint_auth_method').$type<TokenEndpointAuthMethod>().notNull(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    enabled: boolean('enabled').notNull(),
    firstParty: boolean('first_party').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    updatedAt: epochSeconds('updated_at').notNull(),
  },
  (t) => [index('clients_created_at_id_idx').on(t.createdAt, t.clientId)],
);

/**
 * Users (UserRecord). `username` is stored lower-case and unique. Passwords are never stored: only
 * `password_hash`, a self-describing slow hash (`pbkdf2-sha256$<iterations>$<salt>$<hash>`).
 * `email_verified` backs the OIDC `email_verified` claim.
 */
export const users = pgTable(
  'users',
  {
    id: byteOrderedText('id').primaryKey(),
    username: text('username').notNull().unique('users_username_unique'),
    email: text('email'),
    name: text('name'),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<UserRole>().notNull(),
    enabled: boolean('enabled').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    updatedAt: epochSeconds('updated_at').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
  },
  (t) => [index('users_created_at_id_idx').on(t.createdAt, t.id)],
);

/**
 * Browser sessions (SessionRecord). The cookie value is never stored: `id_hash` is its SHA-256
 * (base64url). `sid` is a separate random public id for OIDC `sid` claims. `user_id` refers to
 * `users.id` without a foreign key, as on D1: a deleted user's sessions are dropped by
 * `SessionStore.get`'s join and by `deleteByUser`/`deleteExpired`. `expires_at` is absolute.
 */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    sid: text('sid').notNull().unique('sessions_sid_unique'),
    userId: text('user_id').notNull(),
    authTime: epochSeconds('auth_time').notNull(),
    amr: text('amr'),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId), index('sessions_expires_at_idx').on(t.expiresAt)],
);

/**
 * Grants (GrantRecord): the admin-facing view of a token family. No token or code values are kept
 * here (the TokenActor holds only their hashes). `revoked_at` is null until the first revocation.
 */
export const grants = pgTable(
  'grants',
  {
    id: byteOrderedText('id').primaryKey(),
    clientId: text('client_id').notNull(),
    userId: text('user_id'),
    grantType: text('grant_type').notNull(),
    scope: text('scope').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
    revokedAt: epochSeconds('revoked_at'),
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
 * Signing keys (SigningKeyRecord). `public_jwk` is the public JWK as JSON text (kept verbatim); the
 * private key is stored only encrypted (AES-GCM under OAUTH2_KEY_ENCRYPTION_KEY).
 */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: byteOrderedText('kid').primaryKey(),
    alg: text('alg').notNull(),
    use: text('use').$type<SigningKeyUse>().notNull(),
    status: text('status').$type<SigningKeyStatus>().notNull(),
    publicJwk: text('public_jwk').notNull(),
    privateJwkEncrypted: text('private_jwk_encrypted').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    retiresAt: epochSeconds('retires_at'),
  },
  (t) => [index('signing_keys_created_at_kid_idx').on(t.createdAt, t.kid)],
);

/**
 * Audit log (AuditEntry), append-only. `metadata` is a jsonb object; callers must not put secrets,
 * codes or tokens in it (only ids and hashes).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: byteOrderedText('id').primaryKey(),
    actorId: text('actor_id').notNull(),
    actorType: text('actor_type').$type<'user' | 'client' | 'system'>().notNull(),
    action: text('action').notNull(),
    targetKind: text('target_kind').notNull(),
    targetId: text('target_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
    createdAt: epochSeconds('created_at').notNull(),
  },
  (t) => [index('audit_log_created_at_id_idx').on(t.createdAt, t.id)],
);

/**
 * Remembered consent (ConsentRecord): one row per (user, client), `scope` the space-separated scopes
 * granted so far. No foreign keys: deleting a user or client leaves rows that match nothing.
 * `client_id` breaks ties in `listByUser`, hence byte order.
 */
export const consents = pgTable(
  'consents',
  {
    userId: text('user_id').notNull(),
    clientId: byteOrderedText('client_id').notNull(),
    scope: text('scope').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    updatedAt: epochSeconds('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clientId] }), index('consents_client_id_idx').on(t.clientId)],
);

/**
 * Denylist (DenyEntry): one row per (kind, value), enforced before authentication. `value` is already
 * normalised (canonical IP address or CIDR block, lower-cased username or e-mail, user id, client_id).
 * `expires_at` is null for an entry that stays until deleted.
 */
export const denylist = pgTable(
  'denylist',
  {
    id: byteOrderedText('id').primaryKey(),
    kind: text('kind').$type<DenyKind>().notNull(),
    value: text('value').notNull(),
    reason: text('reason'),
    createdBy: text('created_by').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at'),
  },
  (t) => [
    uniqueIndex('denylist_kind_value_unique').on(t.kind, t.value),
    index('denylist_created_at_id_idx').on(t.createdAt, t.id),
    index('denylist_expires_at_idx').on(t.expiresAt),
  ],
);

/**
 * Recent events (EventRecord), written by the queue consumer. Duplicate deliveries record nothing: `id`
 * is the primary key and `idempotency_key` is unique, and inserts ignore conflicts. `metadata` is a jsonb
 * object without secrets. `time` is epoch seconds; old rows are deleted by the consumer (retention).
 */
export const events = pgTable(
  'events',
  {
    id: byteOrderedText('id').primaryKey(),
    type: text('type').notNull(),
    time: epochSeconds('time').notNull(),
    severity: text('severity').$type<'info' | 'warning' | 'error'>().notNull(),
    userId: text('user_id'),
    clientId: text('client_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull(),
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

/** Pending RFC 8628 device authorizations: the D1 table (src/storage/d1/schema.ts) with bigint epoch seconds. */
export const deviceAuthorizations = pgTable(
  'device_authorizations',
  {
    userCode: byteOrderedText('user_code').primaryKey(),
    clientId: text('client_id').notNull(),
    scope: text('scope').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    expiresAt: epochSeconds('expires_at').notNull(),
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
 * Second factors (src/storage/mfa.ts): the D1 tables with `bigint`
 * epoch seconds, real booleans and a jsonb `transports`. Each row is deleted with its user (ON DELETE
 * CASCADE); the TOTP secret is stored sealed (AES-GCM), recovery codes as SHA-256 hashes only.
 */
const userRef = () =>
  text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' });

export const totpFactors = pgTable('totp_factors', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secretEncrypted: text('secret_encrypted').notNull(),
  confirmed: boolean('confirmed').notNull(),
  lastUsedStep: bigint('last_used_step', { mode: 'number' }).notNull(),
  createdAt: epochSeconds('created_at').notNull(),
});

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: userRef(),
    codeHash: text('code_hash').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
  },
  (t) => [primaryKey({ name: 'recovery_codes_pk', columns: [t.userId, t.codeHash] })],
);

export const passkeys = pgTable(
  'passkeys',
  {
    credentialId: text('credential_id').primaryKey(),
    userId: userRef(),
    publicKey: text('public_key').notNull(),
    signCount: bigint('sign_count', { mode: 'number' }).notNull(),
    transports: jsonb('transports').$type<string[]>().notNull(),
    name: text('name').notNull(),
    deviceType: text('device_type').$type<'singleDevice' | 'multiDevice'>().notNull(),
    backedUp: boolean('backed_up').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    lastUsedAt: epochSeconds('last_used_at'),
  },
  (t) => [index('passkeys_user_id_idx').on(t.userId)],
);

/** Issuers of JWT authorization grants: the D1 table (src/storage/d1/schema.ts) with jsonb and boolean. */
export const trustedIssuers = pgTable(
  'trusted_issuers',
  {
    id: byteOrderedText('id').primaryKey(),
    issuer: text('issuer').notNull(),
    jwks: jsonb('jwks').$type<{ keys: Record<string, unknown>[] }>(),
    jwksUri: text('jwks_uri'),
    allowedSubjects: jsonb('allowed_subjects').$type<string[]>().notNull(),
    allowedScopes: jsonb('allowed_scopes').$type<string[]>().notNull(),
    audience: text('audience'),
    enabled: boolean('enabled').notNull(),
    createdAt: epochSeconds('created_at').notNull(),
    updatedAt: epochSeconds('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('trusted_issuers_issuer_unique').on(t.issuer),
    index('trusted_issuers_created_at_id_idx').on(t.createdAt, t.id),
  ],
);
