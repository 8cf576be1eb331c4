/**
 * A circuit breaker (closed -> open -> half-open -> closed), per isolate. It only ever refuses a call
 * before the call starts: a call it admitted runs to its end whatever happens to the breaker meanwhile,
 * so the breaker itself never cuts a write in half.
 *
 * - closed: every call runs; `failureThreshold` consecutive failures open the breaker.
 * - open: calls are refused (CircuitOpenError) for `openMs`; then the breaker is half-open.
 * - half-open: at most `halfOpenMaxProbes` calls in flight at once; one failure re-opens it,
 *   `successThreshold` successes close it.
 *
 * What counts as a failure is the caller's choice (`isFailure`): an unreachable database is, a
 * unique-constraint violation is not.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  failureThreshold: number;
  successThreshold: number;
  openMs: number;
  halfOpenMaxProbes: number;
  /** Milliseconds; injected so tests can move time. */
  now: () => number;
  /** Called on every state change (metrics, logs). */
  onStateChange?: (state: BreakerState, previous: BreakerState) => void;
}

/** The breaker refused a call before it started. */
export class CircuitOpenError extends Error {
  constructor(
    readonly circuit: string,
    /** Whole seconds until the breaker lets a probe through (at least 1). */
    readonly retryAfterSecs: number,
  ) {
    super(`circuit ${circuit} is open`);
    this.name = 'CircuitOpenError';
  }
}

/** One admitted call: report its outcome exactly once. */
export interface BreakerPermit {
  success(): void;
  failure(): void;
}

export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #failures = 0;
  #successes = 0;
  #openedAt = 0;
  #probesInFlight = 0;
  /** Bumped on every transition: outcomes of calls admitted in an earlier state are ignored. */
  #generation = 0;

  constructor(
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
  ) {}

  /** The state now (an open breaker whose time is up reads as half-open). */
  get state(): BreakerState {
    this.#advance();
    return this.#state;
  }

  /** Seconds until an open breaker admits a probe; 0 unless open. */
  retryAfterSecs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(1, Math.ceil((this.#openedAt + this.options.openMs - this.options.now()) / 1000));
  }

  /** Admits a call or throws CircuitOpenError; the permit reports how the call ended. */
  acquire(): BreakerPermit {
    const permit = this.tryAcquire();
    if (permit === null) throw new CircuitOpenError(this.name, Math.max(1, this.retryAfterSecs()));
    return permit;
  }

  /** Admits a call, or null when the breaker refuses it. */
  tryAcquire(): BreakerPermit | null {
    const state = this.state;
    if (state === 'open') return null;
    if (state === 'half_open') {
      if (this.#probesInFlight >= this.options.halfOpenMaxProbes) return null;
      this.#probesInFlight += 1;
      return this.#permit(true);
    }
    return this.#permit(false);
  }

  /**
   * A permit that is never refused, for a later call of an operation whose first call was admitted
   * (see guardStorage): its outcome still counts.
   */
  admitted(): BreakerPermit {
    return this.#permit(false);
  }

  /** Runs `call` through the breaker: refused when open, outcome recorded. */
  async run<T>(call: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    const permit = this.acquire();
    try {
      const result = await call();
      permit.success();
      return result;
    } catch (error) {
      if (isFailure(error)) permit.failure();
      else permit.success();
      throw error;
    }
  }

  #permit(probe: boolean): BreakerPermit {
    const generation = this.#generation;
    let done = false;
    const settle = () => {
      if (done || generation !== this.#generation) return false;
      done = true;
      if (probe) this.#probesInFlight -= 1;
      return true;
    };
    return {
      success: () => {
        if (settle()) this.#onSuccess();
      },
      failure: () => {
        if (settle()) this.#onFailure();
      },
    };
  }

  #onSuccess(): void {
    this.#advance();
    if (this.#state === 'closed') {
      this.#failures = 0;
    } else if (this.#state === 'half_open') {
      this.#successes += 1;
      if (this.#successes >= this.options.successThreshold) this.#transition('closed');
    }
  }

  #onFailure(): void {
    this.#advance();
    if (this.#state === 'closed') {
      this.#failures += 1;
      if (this.#failures >= this.options.failureThreshold) this.#transition('open');
    } else if (this.#state === 'half_open') {
      this.#transition('open');
    }
  }

  /** Open -> half-open once the open period is over. */
  #advance(): void {
    if (this.#state === 'open' && this.options.now() - this.#openedAt >= this.options.openMs) {
      this.#transition('half_open');
    }
  }

  #transition(next: BreakerState): void {
    const previous = this.#state;
    this.#state = next;
    this.#generation += 1;
    this.#failures = 0;
    this.#successes = 0;
    this.#probesInFlight = 0;
    if (next === 'open') this.#openedAt = this.options.now();
    this.options.onStateChange?.(next, previous);
  }
}
