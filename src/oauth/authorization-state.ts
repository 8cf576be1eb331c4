/** What the AuthActor stores about authorization codes and pending (consent) requests. */

/** Everything a code is bound to (RFC 6749 §4.1.2, RFC 7636 §4.4, OIDC Core §3.1.2.1). */
export interface CodeRecord {
  /** The grant (token family) the code's tokens will belong to; revoked if the code is replayed. */
  grantId: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  /** Space-separated granted scopes. */
  scope: string;
  nonce: string | null;
  /** When the user authenticated (OIDC auth_time), Unix seconds. */
  authTime: number;
  /** The browser session's public id (OIDC sid). */
  sid: string;
  expiresAt: number;
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
}

/** An authorization request waiting for the user's consent decision. */
export interface PendingRequest {
  userId: string;
  clientId: string;
  redirectUri: string;
  state: string | null;
  codeChallenge: string;
  scope: string;
  nonce: string | null;
  authTime: number;
  sid: string;
  expiresAt: number;
}

/** The actor side: one AuthActor per shard of codes and pending requests. */
export interface AuthStatePort {
  saveCode(code: string, record: CodeRecord): Promise<void>;
  redeemCode(code: string, check: RedeemCheck): Promise<RedeemResult>;
  savePending(requestId: string, request: PendingRequest): Promise<void>;
  /** Single use: the request is removed when taken. Null when unknown, expired or another user's. */
  takePending(requestId: string, userId: string): Promise<PendingRequest | null>;
}
