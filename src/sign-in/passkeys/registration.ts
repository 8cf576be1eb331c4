/**
 * WebAuthn Level 2 §7.1 registration of a passkey: a discoverable credential (`residentKey: "required"`)
 * with user verification, ES256 or RS256, attestation "none" (only the key is trusted, not the make of
 * the authenticator). Verification (challenge, origin, RP ID, flags, attestation object) is
 * @simplewebauthn/server's, which runs on WebCrypto.
 */
import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { toBase64Url, utf8 } from '../../crypto/encoding';
import type { PasskeyRecord } from '../../storage/mfa';
import { CHALLENGE_TTL_SECS } from './challenges';
import { PasskeyRefusedError, verifiedBy } from './refusal';
import type { RelyingParty } from './relying-party';

/** COSE algorithms accepted (RFC 9053): ES256 (-7), then RS256 (-257) for older Windows Hello keys. */
export const PASSKEY_ALGORITHMS = [-7, -257];

/** The account a passkey is made for. */
export interface PasskeyAccount {
  id: string;
  username: string;
  name: string | null;
}

/**
 * The WebAuthn user handle of an account: the bytes of its opaque user id (never the username or e-mail,
 * WebAuthn Level 2 §14.6.1), so a sign-in can check that the passkey belongs to the user it names.
 */
export function userHandle(userId: string): string {
  return toBase64Url(utf8(userId));
}

/** The options for `navigator.credentials.create()`: the user's own passkeys are excluded. */
export function registrationOptions(
  rp: RelyingParty,
  account: PasskeyAccount,
  existing: readonly PasskeyRecord[],
  challenge: string,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: account.username,
    userID: utf8(account.id),
    userDisplayName: account.name ?? account.username,
    challenge: utf8(challenge),
    timeout: CHALLENGE_TTL_SECS * 1000,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.credentialId,
      transports: transportsOf(passkey.transports),
    })),
    authenticatorSelection: {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
    },
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  });
}

/** What the verified registration is checked against. */
export interface RegistrationExpectation {
  rp: RelyingParty;
  /** The challenge as the browser received it (base64url). */
  challenge: string;
  userId: string;
  now: number;
}

/**
 * The passkey a registration response proves, ready to store; PasskeyRefusedError when it does not
 * verify. The default name says the kind of authenticator and the day it was added.
 */
export async function verifyRegistration(
  response: RegistrationResponseJSON,
  expected: RegistrationExpectation,
): Promise<PasskeyRecord> {
  const result = await verifiedBy(() =>
    verifyRegistrationResponse({
      response,
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.rp.origin,
      expectedRPID: expected.rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    }),
  );
  if (!result.verified) throw new PasskeyRefusedError('invalid_response', 'registration not verified');
  const info = result.registrationInfo;
  return {
    credentialId: info.credential.id,
    userId: expected.userId,
    publicKey: toBase64Url(info.credential.publicKey),
    signCount: info.credential.counter,
    transports: info.credential.transports ?? [],
    name: defaultPasskeyName(info.credentialDeviceType, expected.now),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    createdAt: expected.now,
    lastUsedAt: null,
  };
}

/** "Synced passkey" or "Device passkey", and the day (UTC) it was added: "Device passkey (2026-12-07)". */
export function defaultPasskeyName(deviceType: PasskeyRecord['deviceType'], now: number): string {
  const kind = deviceType === 'multiDevice' ? 'Synced passkey' : 'Device passkey';
  return `${kind} (${new Date(now * 1000).toISOString().slice(0, 10)})`;
}

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

type Transport = NonNullable<RegistrationResponseJSON['response']['transports']>[number];

/** The stored transports WebAuthn knows (stored values come from browsers, so they are filtered). */
export function transportsOf(stored: readonly string[]): Transport[] {
  return stored.filter((transport): transport is Transport => TRANSPORTS.has(transport));
}
