/**
 * How long the outbox waits between attempts at one delivery.
 */
export interface IBackoffPolicy {
  /** Ceiling of the first wait, in ms (default 2 s). */
  baseMs: number;
  /** Growth of the ceiling per failed attempt (default 2). */
  factor: number;
  /** Largest ceiling, in ms (default 5 min). */
  capMs: number;
  /** Shortest wait, so a retry never spins (default 100 ms). */
  minMs: number;
}

/**
 * The default policy: 2 s, ×2 per attempt, at most 5 minutes.
 */
export const DEFAULT_BACKOFF: IBackoffPolicy = {
  baseMs: 2000,
  factor: 2,
  capMs: 5 * 60_000,
  minMs: 100
};

/**
 * The wait before the next attempt, after `failures` failed ones (1 after
 * the first): exponential backoff with full jitter, so many tabs or labs
 * that failed together do not retry together. A service's `Retry-After`
 * is a floor: never earlier than it asked.
 */
export function backoffDelay(
  failures: number,
  retryAfterMs: number | null,
  policy: IBackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random
): number {
  const exponent = Math.max(0, failures - 1);
  const ceiling = Math.min(
    policy.capMs,
    policy.baseMs * Math.pow(policy.factor, exponent)
  );
  const jittered = Math.max(policy.minMs, Math.round(random() * ceiling));
  return Math.max(jittered, retryAfterMs ?? 0);
}
