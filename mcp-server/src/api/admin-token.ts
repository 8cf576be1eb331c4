/**
 * The admin access token: client_credentials with scope `admin`, cached until shortly before it expires.
 * Concurrent callers share one token request; a token the server refused (401) is dropped so the next
 * call fetches a fresh one.
 */
import { type ApiFailure, failure } from './response.js';

/** Obtains a new token from the token endpoint. */
export type TokenFetcher = () => Promise<{ ok: true; token: string; expiresIn?: number } | ApiFailure>;

/** Refresh this long before expiry (or at half-life for tokens shorter than twice this). */
const REFRESH_MARGIN_MS = 30_000;

interface CachedToken {
  value: string;
  /** Epoch ms after which the token is not used any more; Infinity when the server gave no expires_in. */
  refreshAt: number;
}

export class AdminTokenCache {
  #cached: CachedToken | undefined;
  #pending: Promise<{ ok: true; token: string } | ApiFailure> | undefined;

  constructor(
    private readonly fetchToken: TokenFetcher,
    private readonly now: () => number = Date.now,
  ) {}

  /** A usable admin token, from the cache when it is still fresh. */
  get(): Promise<{ ok: true; token: string } | ApiFailure> {
    const cached = this.#cached;
    if (cached && this.now() < cached.refreshAt) return Promise.resolve({ ok: true, token: cached.value });
    this.#pending ??= this.#refresh().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets `token` (the server answered 401 to it); a newer cached token is kept. */
  invalidate(token: string): void {
    if (this.#cached?.value === token) this.#cached = undefined;
  }

  async #refresh(): Promise<{ ok: true; token: string } | ApiFailure> {
    const issuedAt = this.now();
    let outcome: Awaited<ReturnType<TokenFetcher>>;
    try {
      outcome = await this.fetchToken();
    } catch (error) {
      return failure('network_error', `admin token request failed: ${(error as Error).message}`);
    }
    if (!outcome.ok) return outcome;
    const lifetimeMs = outcome.expiresIn === undefined ? Number.POSITIVE_INFINITY : outcome.expiresIn * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.#cached = { value: outcome.token, refreshAt: issuedAt + lifetimeMs - margin };
    return { ok: true, token: outcome.token };
  }
}
