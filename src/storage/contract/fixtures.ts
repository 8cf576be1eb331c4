/** Record builders and helpers shared by the storage contract suites. */
import type {
  AuditEntry,
  ClientRecord,
  DenyEntry,
  GrantRecord,
  Page,
  PageRequest,
  SessionRecord,
  SigningKeyRecord,
  Storage,
  UserRecord,
} from '../ports';

/** Builds the storage under test (once per suite; tests in a suite share it). */
export type MakeStorage = () => Promise<Storage> | Storage;

/** A fixed "now" (epoch seconds) so every adapter sees the same timestamps. */
export const NOW = 1_750_000_000;

/** A unique id per record, so tests never collide in shared storage. */
export function uid(prefix = ''): string {
  return `${prefix}${crypto.randomUUID()}`;
}

/** A confidential client exercising every field (arrays, nested metadata, both booleans). */
export function makeClient(overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId: uid('client-'),
    clientSecretHash: 'q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c',
    clientSecretExpiresAt: 0,
    registrationAccessTokenHash: 'z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5a4p3o2i1u0y9t',
    clientName: 'Contract Test Client',
    redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1:8080/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    scope: 'openid profile email offline_access',
    tokenEndpointAuthMethod: 'client_secret_basic',
    metadata: {
      client_uri: 'https://app.example.com',
      contacts: ['ops@example.com'],
      nested: { a: 1, b: null },
    },
    enabled: true,
    firstParty: false,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

/** A user; the username is lower-case, as stored. */
export function makeUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: uid('user-'),
    username: uid('user.'),
    email: 'someone@example.com',
    name: 'Some One',
    passwordHash: 'pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
    role: 'user',
    enabled: true,
    emailVerified: true,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

/** A 12-hour session of `userId` (a random user by default), signed in at NOW. */
export function makeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    idHash: uid('hash-'),
    sid: uid('sid-'),
    userId: uid('user-'),
    authTime: NOW,
    amr: 'pwd',
    createdAt: NOW,
    expiresAt: NOW + 43_200,
    ...overrides,
  };
}

/** An active authorization-code grant. */
export function makeGrant(overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: uid('grant-'),
    clientId: uid('client-'),
    userId: uid('user-'),
    grantType: 'authorization_code',
    scope: 'openid profile',
    createdAt: NOW,
    expiresAt: NOW + 3600,
    revokedAt: null,
    sid: uid('sid-'),
    ...overrides,
  };
}

/** An active ES256 access-token signing key. */
export function makeSigningKey(overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid: uid('kid-'),
    alg: 'ES256',
    use: 'access_token',
    status: 'active',
    publicJwk: JSON.stringify({ kty: 'EC', crv: 'P-256', x: 'eA', y: 'eQ' }),
    privateJwkEncrypted: 'v1.aXZpdml2aXZpdml2.Y2lwaGVydGV4dA',
    createdAt: NOW,
    retiresAt: null,
    ...overrides,
  };
}

/** An audit entry with nested metadata. */
export function makeAuditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: uid('audit-'),
    actorId: uid('user-'),
    actorType: 'user',
    action: 'client.create',
    targetKind: 'client',
    targetId: uid('client-'),
    ip: '203.0.113.7',
    userAgent: 'contract-test/1.0',
    metadata: { scopes: ['openid', 'email'], count: 2, ok: true, detail: { reason: null } },
    createdAt: NOW,
    ...overrides,
  };
}

/** A permanent username entry with a unique value. */
export function makeDenyEntry(overrides: Partial<DenyEntry> = {}): DenyEntry {
  return {
    id: uid('deny-'),
    kind: 'username',
    value: uid('blocked.'),
    reason: 'contract test',
    createdBy: uid('user-'),
    createdAt: NOW,
    expiresAt: null,
    ...overrides,
  };
}

/** Base64url of a UTF-8 string (to forge cursors in tests). */
export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Every item of a listing, walked by cursor in pages of 200. */
export async function listAll<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 200, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
