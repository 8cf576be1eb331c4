/** What the OAuth core needs from the runtime: actors, caches and a clock, as small ports. */
import type { Config } from '../config';
import type { KeySet, VerificationKey } from '../crypto/signing-keys';
import type { ClientRecord, Storage } from '../storage/ports';

/** An opaque access token as its TokenActor stores it (the token itself only as a hash). */
export interface StoredAccessToken {
  hash: string;
  jti: string;
  clientId: string;
  sub: string;
  scope: string;
  aud: string[];
  issuedAt: number;
  expiresAt: number;
}

/** The state of one grant (token family), owned by the TokenActor keyed by its id. */
export interface TokenStatePort {
  /** Records an opaque access token in its grant; false when the grant was revoked meanwhile. */
  storeAccessToken(grantId: string, token: StoredAccessToken): Promise<boolean>;
  /** The live token with this hash, or null when unknown, expired or revoked. */
  findAccessToken(grantId: string, hash: string): Promise<StoredAccessToken | null>;
  /** Revokes the whole grant; its state is kept until `expiresAt`, then dropped. */
  revokeGrant(grantId: string, expiresAt: number): Promise<void>;
  isGrantRevoked(grantId: string): Promise<boolean>;
}

/** Client registrations: hot reads through a per-isolate cache, writes through the ClientActor. */
export interface ClientRegistry {
  get(clientId: string): Promise<ClientRecord | null>;
  create(client: ClientRecord): Promise<void>;
  replace(client: ClientRecord): Promise<boolean>;
  remove(clientId: string): Promise<boolean>;
}

export interface KeyProvider {
  keySet(): Promise<KeySet>;
  verificationKey(kid: string): Promise<VerificationKey | null>;
}

/** Everything an endpoint handler in src/ may use; built per request by the Worker shell. */
export interface OAuthContext {
  config: Config;
  /** The issuer identifier: OAUTH2_PUBLIC_URL or the request origin, no trailing slash. */
  issuer: string;
  /** Unix time in seconds. */
  now(): number;
  clients: ClientRegistry;
  keys: KeyProvider;
  tokens: TokenStatePort;
  storage: Storage;
}
