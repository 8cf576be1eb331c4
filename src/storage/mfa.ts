/**
 * Second factors of users: an authenticator app (TOTP, RFC 6238) with its one-time recovery codes, and
 * passkeys (WebAuthn discoverable credentials). Nothing usable is stored in the clear: the TOTP secret is
 * encrypted (AES-GCM, like the signing keys), recovery codes are SHA-256 hashes, a passkey is its public key.
 * Single use is decided by the database in one conditional statement (never read, then write).
 */

export interface TotpFactorRecord {
  userId: string;
  /** The base32 secret, encrypted at rest (src/crypto). */
  secretEncrypted: string;
  /** False while set up but not yet confirmed with a first code; an unconfirmed factor signs nobody in. */
  confirmed: boolean;
  /** The last RFC 6238 time step accepted (0: none yet); a code of this step or an earlier one is refused. */
  lastUsedStep: number;
  createdAt: number;
}

export interface PasskeyRecord {
  /** The credential id (base64url): unique across users. */
  credentialId: string;
  userId: string;
  /** The COSE public key (base64url). */
  publicKey: string;
  /** The authenticator's signature counter as last seen (0 when it keeps none). */
  signCount: number;
  /** WebAuthn transports the browser reported (`internal`, `hybrid`, `usb`, ...). */
  transports: string[];
  /** A name the user chose, or a default such as "Passkey". */
  name: string;
  /** `singleDevice` or `multiDevice` (synced) as the authenticator reported; its backup state. */
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

/** What an administrator (and the user's security page) sees of a user's factors. */
export interface UserFactors {
  totp: { confirmed: boolean; createdAt: number } | null;
  recoveryCodesLeft: number;
  passkeys: PasskeyRecord[];
}

export interface MfaStore {
  getTotp(userId: string): Promise<TotpFactorRecord | null>;
  /** Removes the user's TOTP factor and recovery codes; false when there was none. */
  deleteTotp(userId: string): Promise<boolean>;
  /** Sets up (or replaces an unconfirmed) TOTP factor; ConflictError when a confirmed one exists. */
  putPendingTotp(record: TotpFactorRecord): Promise<void>;
  /**
   * Accepts time step `step` for the user's TOTP factor when it is later than the last accepted one,
   * and confirms the factor; answers false (nothing changed) otherwise. One conditional update: two
   * concurrent calls with the same step cannot both answer true.
   */
  acceptTotpStep(userId: string, step: number): Promise<boolean>;
  /** Replaces the user's recovery codes by these SHA-256 hashes (base64url). */
  setRecoveryCodes(userId: string, codeHashes: string[], now: number): Promise<void>;
  /** Uses up the recovery code with this hash; true when it existed (one conditional delete). */
  consumeRecoveryCode(userId: string, codeHash: string): Promise<boolean>;

  addPasskey(record: PasskeyRecord): Promise<void>;
  getPasskey(credentialId: string): Promise<PasskeyRecord | null>;
  listPasskeys(userId: string): Promise<PasskeyRecord[]>;
  /** Records a use: the new signature counter and the time. */
  touchPasskey(credentialId: string, signCount: number, at: number): Promise<void>;
  renamePasskey(userId: string, credentialId: string, name: string): Promise<boolean>;
  /** Deletes one of the user's passkeys; false when the user has none with that id. */
  deletePasskey(userId: string, credentialId: string): Promise<boolean>;

  factors(userId: string): Promise<UserFactors>;
  /**
   * Whether the user can make a multi-factor sign-in: a confirmed authenticator app or a passkey. One
   * query (the admin guard and step-up ask it on every request they see).
   */
  hasSecondFactor(userId: string): Promise<boolean>;
  /** Deletes every factor and recovery code of the user (an administrator's reset). */
  deleteAllFactors(userId: string): Promise<void>;
}
