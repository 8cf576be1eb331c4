/**
 * Per-isolate cache of the imported KeySet. Keys are fetched from the KeyRing at most once per
 * `ttlSecs` (default 60 s), so a rotation reaches every isolate within that bound; an unknown `kid`
 * (a token signed by a key this isolate has not seen yet) forces a refresh, at most once per 5 s.
 */
import { type Clock, systemClock } from '../clock';
import type { SigningKeyRecord, SigningKeyUse } from '../storage/ports';
import { importKeySet, type KeySet, type VerificationKey } from './signing-keys';

const UNKNOWN_KID_REFRESH_SECS = 5;

export class KeyCache {
  private current: { keySet: KeySet; fetchedAt: number } | null = null;

  constructor(
    private readonly fetchKeys: () => Promise<SigningKeyRecord[]>,
    private readonly kek: string,
    private readonly ttlSecs = 60,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The current KeySet, refreshed by the caller when stale. */
  async get(): Promise<KeySet> {
    if (this.current && this.clock.nowSecs() - this.current.fetchedAt < this.ttlSecs)
      return this.current.keySet;
    return this.refresh();
  }

  /**
   * The verification key for `kid` when it signs tokens of `use` (a key of another use verifies nothing
   * here), refreshing once if this isolate does not know the kid yet.
   */
  async verificationKey(kid: string, use: SigningKeyUse): Promise<VerificationKey | null> {
    let key = (await this.get()).byKid.get(kid);
    if (!key && !(this.current && this.clock.nowSecs() - this.current.fetchedAt < UNKNOWN_KID_REFRESH_SECS)) {
      key = (await this.refresh()).byKid.get(kid);
    }
    return key?.use === use ? key : null;
  }

  /** Drops the cached keys (after a rotation made by this isolate). */
  invalidate(): void {
    this.current = null;
  }

  /**
   * Each caller fetches for itself: a fetch shared between requests would leave the others waiting on
   * the first request's I/O, which workerd cancels when that request ends (the waiters then hang).
   * Concurrent refreshes happen only at a cold start or once per TTL.
   */
  private async refresh(): Promise<KeySet> {
    const keySet = await importKeySet(await this.fetchKeys(), this.kek, this.clock.nowSecs());
    this.current = { keySet, fetchedAt: this.clock.nowSecs() };
    return keySet;
  }
}
