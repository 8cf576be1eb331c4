/** Authenticator apps (RFC 6238 TOTP) and recovery codes: re-exports. */
export * from './base32';
export * from './pending-sign-in';
export * from './qr-code';
export * from './recovery-codes';
export * from './totp';
export * from './totp-factor';
