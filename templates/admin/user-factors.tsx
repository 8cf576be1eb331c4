/**
 * The second factors of a user on the user's admin page: the authenticator app, recovery codes left and
 * passkeys (names, dates, device type), each enrolled factor marked `data-factor` as on /profile/security,
 * and the link to the confirmed reset.
 */
import type { UserFactorsView } from '../../src/admin/user-factors';
import { Badge, Time } from './components';

/** The confirmation page (and its form) that resets the second factors of user `id`. */
export function resetFactorsPath(userId: string): string {
  return `/admin/users/${encodeURIComponent(userId)}/factors/reset`;
}

function hasFactors(factors: UserFactorsView): boolean {
  return factors.totp !== null || factors.passkeys.length > 0 || factors.recovery_codes_left > 0;
}

export function UserFactorsSection({ userId, factors }: { userId: string; factors: UserFactorsView }) {
  const { totp } = factors;
  return (
    <section class="panel" aria-labelledby="factors">
      <h2 id="factors">Second factors</h2>
      {!hasFactors(factors) && (
        <p class="muted">No second factor: the user signs in with a password alone.</p>
      )}
      <ul>
        {totp !== null && (
          <li data-factor={totp.confirmed ? 'totp' : undefined}>
            Authenticator app (TOTP){' '}
            {totp.confirmed ? <Badge tone="ok">confirmed</Badge> : <Badge tone="plain">not confirmed</Badge>}
            <span class="hint">
              added <Time secs={totp.created_at} />
            </span>
          </li>
        )}
        {(totp !== null || factors.recovery_codes_left > 0) && (
          <li>Recovery codes left: {factors.recovery_codes_left}</li>
        )}
        {factors.passkeys.map((passkey) => (
          <li data-factor="passkey">
            Passkey “{passkey.name}” ({passkey.device_type === 'multiDevice' ? 'synced' : 'this device only'})
            <span class="hint">
              added <Time secs={passkey.created_at} />, last used <Time secs={passkey.last_used_at} />
            </span>
          </li>
        ))}
      </ul>
      {hasFactors(factors) && (
        <div class="actions">
          <a class="button danger" href={resetFactorsPath(userId)}>
            Reset second factors…
          </a>
        </div>
      )}
    </section>
  );
}
