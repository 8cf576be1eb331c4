/**
 * A user's second factors as an administrator sees them (TOTP state, recovery codes left, passkeys by
 * name, dates and device type: never a secret, a code or a public key), and their reset: every factor
 * and recovery code is deleted, the user's sign-ins end and their grants are revoked (as a password
 * reset does, src/admin/users.ts), with an audit entry and an `mfa_removed` event naming the administrator.
 * The user then signs in with their password alone and may enrol again.
 */
import { z } from 'zod';
import type { UserFactors } from '../storage/ports';
import { auditEntry } from './audit';
import type { AdminContext } from './context';
import { endSignInsAndGrants, storedUser } from './users';

const unixTime = (description = 'Unix time, seconds') => z.number().int().meta({ description });

export const UserFactorsViewSchema = z
  .object({
    totp: z
      .object({
        confirmed: z.boolean().meta({ description: 'false while set up but not yet confirmed with a code' }),
        created_at: unixTime(),
      })
      .nullable()
      .meta({ description: 'The authenticator app (RFC 6238), null when none' }),
    recovery_codes_left: z.number().int().meta({ description: 'Unused one-time recovery codes' }),
    passkeys: z.array(
      z
        .object({
          name: z.string(),
          created_at: unixTime(),
          last_used_at: unixTime('Unix time, seconds; null when never used').nullable(),
          device_type: z
            .enum(['singleDevice', 'multiDevice'])
            .meta({ description: 'multiDevice: a synced passkey' }),
          backed_up: z.boolean(),
        })
        .meta({ id: 'PasskeySummary' }),
    ),
  })
  .meta({ id: 'UserFactors' });

export type UserFactorsView = z.output<typeof UserFactorsViewSchema>;

/** The administrator's view of a user's factors. */
export function userFactorsView(factors: UserFactors): UserFactorsView {
  return {
    totp:
      factors.totp === null
        ? null
        : { confirmed: factors.totp.confirmed, created_at: factors.totp.createdAt },
    recovery_codes_left: factors.recoveryCodesLeft,
    passkeys: factors.passkeys.map((passkey) => ({
      name: passkey.name,
      created_at: passkey.createdAt,
      last_used_at: passkey.lastUsedAt,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
    })),
  };
}

/** The second factors of user `id`; 404 when there is no such user. */
export async function getUserFactors(ctx: AdminContext, id: string): Promise<UserFactorsView> {
  const user = await storedUser(ctx, id);
  return userFactorsView(await ctx.storage.mfa.factors(user.id));
}

/**
 * Deletes every second factor of user `id` (an account recovery), ends their sign-ins and revokes their
 * grants; answers what was removed. The factors, the sessions and the audit entry go in one unit of work:
 * a failure midway leaves the user as they were, never without factors but still signed in.
 */
export async function resetUserFactors(ctx: AdminContext, id: string): Promise<UserFactorsView> {
  const current = await storedUser(ctx, id);
  const removed = userFactorsView(await ctx.storage.mfa.factors(id));
  const counts = {
    totp: removed.totp !== null,
    passkeys: removed.passkeys.length,
    recovery_codes: removed.recovery_codes_left,
  };
  const audit = auditEntry(
    ctx,
    'user.factors.reset',
    { kind: 'user', id },
    { username: current.username, ...counts, sessions_ended: true, grants_revoked: true },
  );
  await endSignInsAndGrants(
    ctx,
    { ...current, updatedAt: ctx.clock.nowSecs() },
    audit,
    'admin_mfa_reset',
    (unit) => unit.mfa.deleteAllFactors(id),
  );
  ctx.events.publish({
    type: 'mfa_removed',
    userId: id,
    clientId: ctx.actor.clientId,
    metadata: {
      factor: 'all',
      ...counts,
      actor_id: ctx.actor.actorId,
      actor_type: ctx.actor.actorType,
      ...(ctx.actor.username === null ? {} : { actor_username: ctx.actor.username }),
    },
  });
  return removed;
}
