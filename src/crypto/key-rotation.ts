/**
 * Scheduled signing-key rotation with overlap: a key older than OAUTH2_SIGNING_KEY_ROTATION_DAYS is
 * replaced by a successor that was published in the JWKS (status `next`, verifying but never signing)
 * for at least OAUTH2_SIGNING_KEY_PREPUBLISH_SECS, so relying parties' cached JWKS know it before it
 * signs; the replaced key keeps verifying (`retiring`) until every token it signed has expired.
 * The decision is a pure function of the keys and the time, applied by the KeyRing actor.
 */
import type { z } from 'zod';
import { wholeNumber } from '../config-fields';
import type { SigningKeyRecord } from '../storage/ports';
import { inSlot, type KeySlot } from './signing-keys';

/**
 * The shortest pre-publication: the JWKS answer's `max-age` (300 s) plus `stale-while-revalidate` (60 s),
 * plus the per-isolate key cache (60 s), so no cache can still hold a JWKS without the new key.
 */
export const MIN_PREPUBLISH_SECS = 420;

/** Extra verification time after the last token signed by a retiring key can have expired (clock skew). */
export const RETIREMENT_SKEW_SECS = 300;

/** The environment variables of this part (merged into the schema of src/config.ts). */
export const KeyRotationEnvShape = {
  /** Age (days) at which the cron trigger replaces a signing key; 0 = only manual rotation. */
  OAUTH2_SIGNING_KEY_ROTATION_DAYS: wholeNumber(30, 0, 3650),
  /** How long a successor key is published before it signs (seconds). */
  OAUTH2_SIGNING_KEY_PREPUBLISH_SECS: wholeNumber(86_400, MIN_PREPUBLISH_SECS, 30 * 86_400),
};

type KeyRotationEnv = { [K in keyof typeof KeyRotationEnvShape]: z.output<(typeof KeyRotationEnvShape)[K]> };

export interface KeyRotationConfig {
  /** Replace a key this many seconds after its creation; 0 = never on schedule. */
  rotationSecs: number;
  /** A successor is published this long before it signs (at most half the rotation period). */
  prepublishSecs: number;
}

export function toKeyRotationConfig(env: KeyRotationEnv): KeyRotationConfig {
  const rotationSecs = env.OAUTH2_SIGNING_KEY_ROTATION_DAYS * 86_400;
  return {
    rotationSecs,
    prepublishSecs: Math.max(
      MIN_PREPUBLISH_SECS,
      Math.min(env.OAUTH2_SIGNING_KEY_PREPUBLISH_SECS, Math.floor(rotationSecs / 2)),
    ),
  };
}

/**
 * How long a replaced key must keep verifying: the longest lifetime of anything it signed (access
 * tokens, ID tokens, logout tokens) plus clock skew.
 */
export function retirementDelaySecs(accessTokenTtlSecs: number, idTokenTtlSecs: number): number {
  return Math.max(accessTokenTtlSecs, idTokenTtlSecs) + RETIREMENT_SKEW_SECS;
}

/** One change to the key ring. */
export type RotationStep =
  /** Create a successor (status `next`) for this slot: published, not yet signing. */
  | ({ kind: 'prepublish' } & KeySlot)
  /** The successor signs from now on; the keys it replaces verify until `retiresAt`. */
  | ({ kind: 'promote'; kid: string; replaces: string[]; retiresAt: number } & KeySlot);

export interface RotationPolicy extends KeyRotationConfig {
  /** See retirementDelaySecs. */
  retireAfterSecs: number;
}

/** What is due at `now`, for every slot in `slots` (pure: the KeyRing applies the steps). */
export function dueRotationSteps(
  keys: readonly SigningKeyRecord[],
  slots: readonly KeySlot[],
  policy: RotationPolicy,
  now: number,
): RotationStep[] {
  const steps: RotationStep[] = [];
  if (policy.rotationSecs === 0) return steps;
  for (const slot of slots) {
    const { use, alg } = slot;
    const active = newest(keys, slot, 'active');
    const next = newest(keys, slot, 'next');
    if (!active) continue;
    if (next && now - next.createdAt >= policy.prepublishSecs) {
      const replaces = keys
        .filter((key) => inSlot(key, slot) && key.status === 'active')
        .map((key) => key.kid);
      steps.push({
        kind: 'promote',
        use,
        alg,
        kid: next.kid,
        replaces,
        retiresAt: now + policy.retireAfterSecs,
      });
    } else if (!next && now - active.createdAt >= policy.rotationSecs - policy.prepublishSecs) {
      steps.push({ kind: 'prepublish', use, alg });
    }
  }
  return steps;
}

function newest(
  keys: readonly SigningKeyRecord[],
  slot: KeySlot,
  status: SigningKeyRecord['status'],
): SigningKeyRecord | undefined {
  return keys
    .filter((key) => inSlot(key, slot) && key.status === status)
    .reduce<SigningKeyRecord | undefined>(
      (best, key) => (best === undefined || key.createdAt > best.createdAt ? key : best),
      undefined,
    );
}
