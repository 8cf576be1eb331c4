/**
 * The per-isolate copy of the denylist. Enforcement reads it on the hot path (every request's IP,
 * every client lookup, every sign-in) without touching storage: the entries in force are loaded at most
 * once per DENYLIST_CACHE_TTL_SECS per isolate (one query), and at once after a change made in this
 * isolate (`invalidate`). An entry added or removed in another isolate takes effect here within the TTL;
 * an entry's expiry takes effect at its time everywhere (checked per lookup).
 *
 * If storage cannot be read, the last copy stays in force and a reload is tried after
 * DENYLIST_RETRY_SECS; with no copy at all the denylist is empty meanwhile (fails open, logged), so an
 * outage of the database does not take the token endpoint down with it.
 */
import type { DenyEntry } from '../storage/ports';
import { DenylistSnapshot, EMPTY_DENYLIST } from './snapshot';

/** How stale the copy may be, in seconds. */
export const DENYLIST_CACHE_TTL_SECS = 10;
/** Wait after a failed load before trying again, in seconds. */
export const DENYLIST_RETRY_SECS = 5;
/** At most this many entries in force are enforced (the newest); the admin API refuses more. */
export const DENYLIST_MAX_ENTRIES = 10_000;

/** Loads the entries in force at `now`, newest first, at most `limit`. */
export type DenylistLoader = (now: number, limit: number) => Promise<DenyEntry[]>;

export class DenylistCache {
  private snapshotValue: DenylistSnapshot | null = null;
  /** When the copy must be reloaded (epoch seconds). */
  private freshUntil = 0;

  constructor(
    private readonly load: DenylistLoader,
    private readonly now: () => number,
  ) {}

  /**
   * The current copy; reloads it first when it is stale. A reload is never shared between requests:
   * in workerd a promise that waits on another request's I/O never settles once that request ends, and
   * the waiting request is cancelled as hung. Concurrent stale lookups each query (once per TTL).
   */
  async get(): Promise<DenylistSnapshot> {
    if (this.snapshotValue !== null && this.now() < this.freshUntil) return this.snapshotValue;
    return this.reload();
  }

  /** Forgets the copy: the next lookup reloads it (after a change made in this isolate). */
  invalidate(): void {
    this.freshUntil = 0;
  }

  private async reload(): Promise<DenylistSnapshot> {
    const now = this.now();
    try {
      this.snapshotValue = new DenylistSnapshot(await this.load(now, DENYLIST_MAX_ENTRIES));
      this.freshUntil = now + DENYLIST_CACHE_TTL_SECS;
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure';
      console.error(JSON.stringify({ level: 'error', event: 'denylist_load_failed', error: detail }));
      this.freshUntil = now + DENYLIST_RETRY_SECS;
    }
    return this.snapshotValue ?? EMPTY_DENYLIST;
  }
}
