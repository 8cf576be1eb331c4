/**
 * What the AuthActor stores: authorization codes, pending (consent) requests, pushed authorization
 * requests (RFC 9126) and device authorizations (RFC 8628).
 */

/** The sign-in behind a grant, as its ID tokens state it (OIDC Core §2, RFC 8176). */
export interface SignInFacts {
  /** When the user authenticated (OIDC auth_time), Unix seconds. */
  authTime: number;
  /** The browser session's public id (OIDC sid). */
  sid: string;
  /** RFC 8176 `amr` of that sign-in (absent: nothing asserted, e.g. a federated sign-in). */
  amr?: string[] | undefined;
  /** The `acr` that sign-in satisfies (src/oauth/authorize/claims.ts), absent when none. */
  acr?: string | undefined;
}

/** An authorization request the user signed in for: what a pending consent and then its code carry. */
interface UserAuthorization extends SignInFacts {
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  /** Space-separated scopes. */
  scope: string;
  nonce: string | null;
  expiresAt: number;
  /** RFC 8707: the resources the authorization request named (absent: none, the client is the audience). */
  resources?: string[] | undefined;
  /** RFC 9449 §10: the code is redeemed only with a DPoP proof by the key of this thumbprint (`dpop_jkt`). */
  dpopJkt?: string | undefined;
}

/** Everything a code is bound to (RFC 6749 §4.1.2, RFC 7636 §4.4, OIDC Core §3.1.2.1). */
export interface CodeRecord extends UserAuthorization {
  /** The grant (token family) the code's tokens will belong to; revoked if the code is replayed. */
  grantId: string;
}

export type RedeemResult =
  | { status: 'ok'; code: CodeRecord }
  /** Used before: the caller revokes `grantId` (RFC 9700 §4.5.3 / RFC 6749 §4.1.2). */
  | { status: 'replayed'; grantId: string }
  | { status: 'invalid'; reason: string };

/** What the token request presents against a code. */
export interface RedeemCheck {
  clientId: string;
  /** The redirect_uri of the token request, when it sent one. */
  redirectUri: string | undefined;
  /** S256 of the code_verifier. */
  codeChallenge: string;
  /** RFC 8707: the resources of the token request; each must be one the code was granted for. */
  resources?: string[] | undefined;
  /** RFC 9449 §10: the thumbprint of the token request's DPoP proof key, when it sent a proof. */
  dpopJkt?: string | undefined;
}

/** The RedeemResult reason when the token request names a resource the code was not granted for. */
export const RESOURCE_NOT_GRANTED = 'resource was not granted by the authorization';

/** An authorization request waiting for the user's consent decision. */
export interface PendingRequest extends UserAuthorization {
  state: string | null;
  /** How the response travels, when not by redirect (`response_mode=form_post`). */
  responseMode?: 'form_post' | undefined;
}

/** A pushed authorization request (RFC 9126 §2): the validated parameters, bound to the client that pushed them. */
export interface PushedRequest {
  clientId: string;
  /** The authorization request parameters as pushed, name-value pairs (client authentication left out). */
  params: string[][];
  expiresAt: number;
  /** Set only by the server, when it sent the user to sign in for this request. */
  signIn?: SignInRequirement | undefined;
}

/**
 * The sign-in an authorization request waits for (`prompt=login`, `max_age`, or no session at all),
 * held with the request so that nothing the browser sends can relax it.
 */
export interface SignInRequirement {
  /** The sign-in must be at or after this time (Unix seconds). */
  after: number;
  /** The session found insufficient, if any: only a new sign-in (a new session) satisfies the request. */
  replacesSid: string | null;
}

/** A device authorization (RFC 8628 §3.2) as the user approves or denies it on the verification page. */
export interface DeviceAuthorization {
  clientId: string;
  /** Space-separated requested (and validated) scopes. */
  scope: string;
  /** The grant (token family) its tokens will belong to. */
  grantId: string;
  expiresAt: number;
  /** Seconds the device must wait between polls; grows by 5 with every slow_down (RFC 8628 §3.5). */
  interval: number;
}

/** The user's decision on a device authorization, with what the ID token and refresh family need. */
export interface DeviceDecision extends SignInFacts {
  approved: boolean;
  userId: string;
}

/** A device authorization the verification page may show: still pending and unexpired. */
export interface DeviceLookup {
  clientId: string;
  scope: string;
  expiresAt: number;
}

/** One poll of the token endpoint with a device code, decided atomically by the AuthActor. */
export type DevicePollResult =
  /** Approved: the device code is now used; every later poll is `replayed`. */
  | { status: 'approved'; device: DeviceAuthorization; decision: DeviceDecision }
  /** Presented again after its redemption: the grant it produced is to be revoked (RFC 9700 §4.5.3). */
  | { status: 'replayed'; grantId: string }
  | { status: 'pending' }
  | { status: 'slow_down'; interval: number }
  | { status: 'denied' }
  | { status: 'expired' }
  | { status: 'invalid'; reason: string };

/** The actor side: one AuthActor per shard of codes, pending and pushed requests and device codes. */
export interface AuthStatePort {
  saveCode(code: string, record: CodeRecord): Promise<void>;
  redeemCode(code: string, check: RedeemCheck): Promise<RedeemResult>;
  savePending(requestId: string, request: PendingRequest): Promise<void>;
  /** Single use: the request is removed when taken. Null when unknown, expired or another user's. */
  takePending(requestId: string, userId: string): Promise<PendingRequest | null>;
  savePushed(reference: string, request: PushedRequest): Promise<void>;
  /** The unused, unexpired pushed request, without using it up; null otherwise. */
  peekPushed(reference: string): Promise<PushedRequest | null>;
  /** Keeps an unused pushed request until `until` while the user signs in as `signIn` says; false when gone. */
  holdPushed(reference: string, until: number, signIn: SignInRequirement): Promise<boolean>;
  /** Single use: marks the pushed request used; null when unknown, expired or used before. */
  takePushed(reference: string): Promise<PushedRequest | null>;
  /** False when the user code is taken in this shard (the caller draws another). */
  saveDevice(deviceCode: string, userCode: string, device: DeviceAuthorization): Promise<boolean>;
  /** The pending, unexpired device authorization of a (normalised) user code, or null. */
  lookupUserCode(userCode: string): Promise<DeviceLookup | null>;
  /** Records the user's decision once; null when the code is unknown, expired or decided already. */
  decideUserCode(userCode: string, decision: DeviceDecision): Promise<DeviceLookup | null>;
  /** Expires a pending device authorization now (its next poll: expired_token); null when not pending. */
  expireUserCode(userCode: string): Promise<DeviceLookup | null>;
  /** A poll with the device code by `clientId` (RFC 8628 §3.4, §3.5). */
  pollDevice(deviceCode: string, clientId: string): Promise<DevicePollResult>;
}
