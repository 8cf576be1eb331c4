/**
 * Per-isolate cache of the imported KeySet. Keys are fetched from the KeyRing at most once per
 * `ttlSecs` (default 60 s), so a rotation reaches every isolate within that bound; an unknown `kid`
 * (a token signed by a key this isolate has not seen yet) forces a refresh, at most once per 5 s.
 */
import type { SigningKeyRecord } from '../storage/ports';
import { importKeySet, type KeySet, type VerificationKey } from './signing-keys';

const UNKNOWN_KID_REFRESH_SECS = 5;

export class KeyCache {
  private current: { keySet: KeySet; fetchedAt: number } | null = null;
  private inflight: Promise<KeySet> | null = null;

  constructor(
    private readonly fetchKeys: () => Promise<SigningKeyRecord[]>,
    private readonly kek: string,
    private readonly ttlSecs = 60,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** The current KeySet; refreshed in the background-free way (one fetch shared by concurrent callers). */
  async get(): Promise<KeySet> {
    if (this.current && this.now() - this.current.fetchedAt < this.ttlSecs) return this.current.keySet;
    return this.refresh();
  }

  /** The verification key for `kid`, refreshing once if this isolate does not know it yet. */
  async verificationKey(kid: string): Promise<VerificationKey | null> {
    const known = (await this.get()).byKid.get(kid);
    if (known) return known;
    if (this.current && this.now() - this.current.fetchedAt < UNKNOWN_KID_REFRESH_SECS) return null;
    return (await this.refresh()).byKid.get(kid) ?? null;
  }

  /** Drops the cached keys (after a rotation made by this isolate). */
  invalidate(): void {
    this.current = null;
  }

  private refresh(): Promise<KeySet> {
    if (!this.inflight) {
      this.inflight = (async () => {
        try {
          const keySet = await importKeySet(await this.fetchKeys(), this.kek, this.now());
          this.current = { keySet, fetchedAt: this.now() };
          return keySet;
        } finally {
          this.inflight = null;
        }
      })();
    }
    return this.inflight;
  }
}
