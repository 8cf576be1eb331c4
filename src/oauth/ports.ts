/** What the OAuth core needs from the runtime: actors, caches and a clock, as small ports. */
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { KeySet, VerificationKey } from '../crypto/signing-keys';
import type { EventPort } from '../events/types';
import type { CircuitBreaker } from '../resilience/circuit-breaker';
import type { AuditEntry, ClientRecord, SigningKeyUse, Storage } from '../storage/ports';
import type { AuthStatePort, SignInFacts } from './authorization-state';

/** RFC 8693 §4.1 `act`: the actor's identity claims, and the prior actor nested as `act`. */
export interface ActClaim {
  sub: string;
  client_id?: string;
  act?: ActClaim;
}

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
  /** RFC 9449 §6: the JWK SHA-256 thumbprint of the DPoP key the token is bound to. */
  jkt?: string | undefined;
  /** RFC 8693 §4.1: the actor of a token issued by token exchange. */
  act?: ActClaim | undefined;
}

/**
 * A refresh-token family: what the user granted the client, fixed when the authorization code is redeemed.
 * Its sign-in facts are those of the sign-in that started it, kept for the ID tokens of later refreshes.
 */
export interface RefreshFamily extends SignInFacts {
  clientId: string;
  userId: string;
  /** Space-separated granted scope; every refresh may narrow it for its access token, never widen it. */
  scope: string;
  /** Absolute end of the family (OAUTH2_REFRESH_TOKEN_TTL_SECS after it started); rotation never extends it. */
  expiresAt: number;
  /** RFC 8707: the resources granted at authorization; each refresh may ask for some of them (none: none). */
  resources?: string[] | undefined;
  /** RFC 9449 §5: the DPoP key thumbprint a public client's family is bound to; every refresh must prove it. */
  jkt?: string | undefined;
}

/** One refresh presented at the token endpoint, checked and applied atomically by the TokenActor. */
export interface RotationRequest {
  /** SHA-256 of the presented refresh token. */
  hash: string;
  /** SHA-256 of its successor (deterministic from the presented token, so a retry computes the same). */
  successorHash: string;
  /** The authenticated client; must be the family's. */
  clientId: string;
  /** The requested scopes; empty = the family's scope. Must be a subset of the family's scope. */
  scope: string[];
  /** OAUTH2_REFRESH_TOKEN_REUSE_INTERVAL_SECS: 0 = every second use is reuse. */
  reuseIntervalSecs: number;
  /** The latest expiry of the access token this refresh will issue: revocation state is kept until then. */
  accessTokenExpiresAt: number;
  /** RFC 8707: the resources asked for; must be within the family's granted resources. */
  resources?: string[] | undefined;
  /** The thumbprint of the DPoP proof's key sent with this refresh, if any (checked against a bound family). */
  jkt?: string | undefined;
}

export type RotationResult =
  /** The token was current (now rotated), or `retried` within the window: the successor is unchanged. */
  | { status: 'rotated'; family: RefreshFamily; generation: number; retried: boolean }
  /** Unknown, expired, revoked or another client's: nothing changed. */
  | { status: 'invalid'; reason: string }
  /** The scope asked for is not within the family's: nothing changed. */
  | { status: 'invalid_scope'; reason: string }
  /** RFC 8707: a resource not granted to the family was asked for: nothing changed. */
  | { status: 'invalid_target'; reason: string }
  /** An already-rotated token was presented again (RFC 9700 §4.14.2): the whole family is now revoked. */
  | { status: 'reused' };

/** A stored refresh token, for introspection and revocation. */
export interface RefreshTokenState {
  grantId: string;
  family: RefreshFamily;
  /** 1 for the token issued with the authorization code, +1 per rotation. */
  generation: number;
  issuedAt: number;
  /** False once rotated: it can no longer be exchanged (presenting it again is reuse). */
  current: boolean;
}

/** The state of one grant (token family), owned by the TokenActor keyed by its id. */
export interface TokenStatePort {
  /** Records an opaque access token in its grant; false when the grant was revoked meanwhile. */
  storeAccessToken(grantId: string, token: StoredAccessToken): Promise<boolean>;
  /** The live token with this hash, or null when unknown, expired or revoked. */
  findAccessToken(grantId: string, hash: string): Promise<StoredAccessToken | null>;
  /** Revokes the whole grant; its state is kept until `expiresAt`, then dropped. */
  revoke(grantId: string, expiresAt: number): Promise<void>;
  isRevoked(grantId: string): Promise<boolean>;
  /**
   * Starts the refresh-token family of a grant with its first token (by hash); false when the grant is
   * revoked (its authorization code was replayed meanwhile) or already has a family.
   */
  startFamily(
    grantId: string,
    family: RefreshFamily,
    first: { hash: string; accessTokenExpiresAt: number },
  ): Promise<boolean>;
  /** Exchanges a refresh token for its successor: rotation, retry window and reuse detection, atomically. */
  rotateRefreshToken(grantId: string, request: RotationRequest): Promise<RotationResult>;
  /** The refresh token with this hash in a live (unexpired, unrevoked) family, current or rotated; else null. */
  findRefreshToken(grantId: string, hash: string): Promise<RefreshTokenState | null>;
}

/** Client registrations: hot reads through a per-isolate cache, writes through the ClientActor. */
export interface ClientRegistry {
  get(clientId: string): Promise<ClientRecord | null>;
  /** With `audit`, the change and its audit entry are written all or nothing (Storage.atomically). */
  create(client: ClientRecord, audit?: AuditEntry): Promise<void>;
  replace(client: ClientRecord, audit?: AuditEntry): Promise<boolean>;
  remove(clientId: string, audit?: AuditEntry): Promise<boolean>;
}

export interface KeyProvider {
  keySet(): Promise<KeySet>;
  /** The published key `kid`, only when it signs tokens of `use`. */
  verificationKey(kid: string, use: SigningKeyUse): Promise<VerificationKey | null>;
}

/** Which scopes each user has granted each client (remembered consent). */
export interface ConsentPort {
  /** True when the user has already granted every one of `scopes` to the client. */
  covers(userId: string, clientId: string, scopes: string[]): Promise<boolean>;
  /** Adds `scopes` to what the user has granted the client. */
  grant(userId: string, clientId: string, scopes: string[]): Promise<void>;
}

/** Single-use identifiers (DPoP proof and client assertion `jti`s), owned by the ReplayGuard actors. */
export interface ReplayPort {
  /**
   * Records `id` within `namespace` until `expiresAt` (epoch seconds); false when it was already
   * recorded and has not expired (a replay).
   */
  claim(namespace: string, id: string, expiresAt: number): Promise<boolean>;
}

/** What an ID token says of the sign-in behind it (OIDC Core §2), besides issuer, client and times. */
export interface IdTokenClaims {
  sub: string;
  nonce: string | null;
  authTime: number;
  sid: string;
  /** RFC 8176 `amr` of the sign-in (absent or empty: the claim is left out). */
  amr?: string[] | undefined;
  /** The `acr` the sign-in satisfied (absent: left out). */
  acr?: string | undefined;
  /** The scopes granted: `email` and `profile` release those claims of the user (OIDC Core §5.4). */
  scope: readonly string[];
  /** The access token issued alongside, for at_hash (§3.1.3.6). */
  accessToken: string | null;
}

/**
 * Mints the ID token issued with a user's tokens when `openid` was granted (OIDC Core §3.1.3.3, §12.2).
 * The OAuth core reaches OpenID Connect only through this port: the Worker shell wires src/oidc's
 * `issueIdToken` (src/oidc builds on src/oauth, never the other way).
 */
export interface IdTokenMinter {
  issue(ctx: OAuthContext, client: ClientRecord, claims: IdTokenClaims): Promise<string>;
}

/** Everything an endpoint handler in src/ may use; built per request by the Worker shell. */
export interface OAuthContext {
  config: Config;
  /** The issuer identifier: OAUTH2_PUBLIC_URL or the request origin, no trailing slash. */
  issuer: string;
  /** The wall clock (src/clock.ts): every token, code and cache time of a request is read from it. */
  clock: Clock;
  clients: ClientRegistry;
  keys: KeyProvider;
  tokens: TokenStatePort;
  auth: AuthStatePort;
  consents: ConsentPort;
  storage: Storage;
  /** Domain events (src/events): `publish` never throws and never waits; delivery is after the response. */
  events: EventPort;
  /** Single-use `jti`s of DPoP proofs and client assertions. */
  replay: ReplayPort;
  /** OpenID Connect ID tokens (src/oidc/id-token.ts), for the grants that issue them. */
  idTokens: IdTokenMinter;
  /** This isolate's circuit breaker of an outbound host, per what the calls are for (src/outbound). */
  outboundBreaker?: ((target: string, host: string) => CircuitBreaker | undefined) | undefined;
  /**
   * RFC 9449: the DPoP key the token request proved possession of (its JWK thumbprint); tokens issued
   * while it is set are bound to it (`cnf.jkt`). Set by the token endpoint only.
   */
  confirmation?: { jkt: string } | undefined;
}
