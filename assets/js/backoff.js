// Reconnect backoff: exponential growth with jitter, capped. Pure logic; the
// random source is injected so tests are deterministic.

/** Default backoff parameters (milliseconds). */
export const BACKOFF_DEFAULTS = Object.freeze({ base: 500, factor: 2, max: 30000, jitter: 0.5 });

/**
 * Delay in ms before reconnect attempt number `attempt` (0 for the first):
 * the capped exponential min(max, base*factor^attempt), of which a
 * `jitter` fraction is randomized so clients do not reconnect in lockstep.
 */
export function backoffDelay(attempt, opts = {}, random = Math.random) {
  const { base, factor, max, jitter } = { ...BACKOFF_DEFAULTS, ...opts };
  const exp = Math.min(max, base * Math.pow(factor, Math.max(0, attempt)));
  const j = Math.min(1, Math.max(0, jitter));
  return Math.round(exp * (1 - j) + exp * j * random());
}

/** Creates a stateful backoff counter. */
export function createBackoff(opts, random) {
  return new Backoff(opts, random);
}

/** Counts failed attempts; next() gives the delay for the next one. */
class Backoff {
  /** opts: see BACKOFF_DEFAULTS; random: () => [0,1). */
  constructor(opts = {}, random = Math.random) {
    this.opts = { ...BACKOFF_DEFAULTS, ...opts };
    this.random = random;
    this.attempt = 0;
  }

  /** Delay before the next attempt, and counts it. */
  next() {
    return backoffDelay(this.attempt++, this.opts, this.random);
  }

  /** Back to the shortest delay (after a connection succeeded). */
  reset() {
    this.attempt = 0;
  }
}
