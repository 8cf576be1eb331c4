/**
 * The Workers KV backend: approximate fixed-window counting for deployments that prefer KV to a Durable
 * Object. KV has no atomic increment, is eventually consistent (a write can take up to 60 s to be seen
 * in other locations), accepts at most one write per second to a key and expires keys no sooner than
 * 60 s. So:
 * - each isolate writes its own count of a key and window to a key of its own
 *   (`rl:<rule>:<key>:<window>:<isolate>`, the count in the key's metadata), at most once a second;
 * - it reads the other isolates' counts with one `list` of the prefix, at most once a second, in the
 *   background: KV is never awaited on the request path, a decision uses the counts as last read.
 * Counts are never lost to a concurrent write, and within one isolate counting is exact. Across isolates
 * another isolate's hits show up only after its next write (<= 1 s), KV's propagation (up to ~60 s
 * between locations) and this isolate's next read (<= 1 s + one `list`): the limit can be exceeded by
 * what the other isolates admit in that time. A failing KV leaves each isolate with its own count.
 */
import { systemClock } from '../clock';
import type { Background, RateLimitBackend, RateLimitDecision, RateLimitRule } from './types';
import { windowOf } from './types';

/** KV allows one write per second to a key; reads of the others' counts are refreshed as often. */
const WRITE_INTERVAL_MS = 1000;
const READ_INTERVAL_MS = 1000;
/** KV's minimum expiration TTL. */
const MIN_TTL_SECS = 60;
const MAX_WRITE_ROUNDS = 5;
/** Most entries one isolate tracks before dropping those of ended windows. */
const MAX_ENTRIES = 10_000;

interface Entry {
  resetAtMs: number;
  /** Hits this isolate admitted in the window. */
  own: number;
  /** The other isolates' hits, as last read. */
  others: number;
  /** When the last read started. */
  readAtMs: number;
  reading: boolean;
  writtenAtMs: number;
  writtenCount: number;
  /** A write is scheduled or running. */
  writing: boolean;
}

/** The part of KVNamespace this backend uses. */
export interface KvStore {
  list<M>(options: { prefix: string; limit?: number }): Promise<{ keys: { name: string; metadata?: M }[] }>;
  put(key: string, value: string, options: { expirationTtl: number; metadata: unknown }): Promise<void>;
}

export class KvBackend implements RateLimitBackend {
  readonly name = 'kv' as const;
  #entries = new Map<string, Entry>();
  #pending = new Set<Promise<void>>();

  constructor(
    private readonly kv: KvStore,
    /** This isolate's id in key names (random per isolate). */
    private readonly isolateId: string,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = systemClock.nowMs,
  ) {}

  hit(rule: RateLimitRule, key: string, nowMs: number, background?: Background): RateLimitDecision {
    const { index, resetAtMs } = windowOf(nowMs, rule.windowSecs);
    const prefix = `rl:${rule.name}:${key}:${index}:`;
    const entry = this.#entry(prefix, resetAtMs, nowMs);
    if (!entry.reading && nowMs - entry.readAtMs >= READ_INTERVAL_MS) {
      entry.reading = true;
      entry.readAtMs = nowMs;
      this.#track(
        this.#readOthers(prefix, entry).finally(() => {
          entry.reading = false;
        }),
        background,
      );
    }
    const used = entry.own + entry.others;
    if (used >= rule.limit) return { allowed: false, limit: rule.limit, remaining: 0, resetAtMs };
    entry.own += 1;
    if (!entry.writing) {
      entry.writing = true;
      this.#track(this.#write(prefix, entry), background);
    }
    return { allowed: true, limit: rule.limit, remaining: rule.limit - used - 1, resetAtMs };
  }

  /** Resolves once every background read and write started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #track(work: Promise<void>, background?: Background): void {
    const pending = work.catch(this.onError).finally(() => {
      this.#pending.delete(pending);
    });
    this.#pending.add(pending);
    background?.waitUntil(pending);
  }

  #entry(prefix: string, resetAtMs: number, nowMs: number): Entry {
    let entry = this.#entries.get(prefix);
    if (entry === undefined) {
      if (this.#entries.size >= MAX_ENTRIES) {
        for (const [name, old] of this.#entries) {
          if (old.resetAtMs <= nowMs && !old.writing && !old.reading) this.#entries.delete(name);
        }
      }
      entry = {
        resetAtMs,
        own: 0,
        others: 0,
        readAtMs: Number.NEGATIVE_INFINITY,
        reading: false,
        writtenAtMs: Number.NEGATIVE_INFINITY,
        writtenCount: 0,
        writing: false,
      };
      this.#entries.set(prefix, entry);
    }
    return entry;
  }

  async #readOthers(prefix: string, entry: Entry): Promise<void> {
    const own = `${prefix}${this.isolateId}`;
    const { keys } = await this.kv.list<{ c?: number }>({ prefix, limit: 1000 });
    let others = 0;
    for (const item of keys) {
      if (item.name !== own) others += Math.max(0, Number(item.metadata?.c) || 0);
    }
    entry.others = others;
  }

  /**
   * Writes this isolate's count once a second has passed since its last write, until it is current
   * (a few rounds at most, so one request's waitUntil is not held for long; a later hit starts again).
   */
  async #write(prefix: string, entry: Entry): Promise<void> {
    try {
      for (let round = 0; round < MAX_WRITE_ROUNDS && entry.own !== entry.writtenCount; round += 1) {
        const wait = entry.writtenAtMs + WRITE_INTERVAL_MS - this.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const count = entry.own;
        entry.writtenAtMs = this.now();
        const ttl = Math.max(MIN_TTL_SECS, Math.ceil((entry.resetAtMs - entry.writtenAtMs) / 1000) + 1);
        await this.kv.put(`${prefix}${this.isolateId}`, '', { expirationTtl: ttl, metadata: { c: count } });
        entry.writtenCount = count;
      }
    } finally {
      entry.writing = false;
    }
  }
}
