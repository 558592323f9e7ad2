/**
 * Each channel's own rate limit: at most `limit` attempts in any minute.
 * The attempt times are kept in the outbox state, so tabs share them.
 */

/** The window the limit counts in. */
export const RATE_WINDOW_MS = 60_000;

/**
 * When a channel may take its next attempt (`now` if it may now), given
 * the times of its recent attempts and its limit per minute.
 */
export function rateFreeAt(
  attempts: readonly number[] | undefined,
  perMinute: number,
  now: number
): number {
  const limit = rateLimitOf(perMinute);
  const recent = (attempts ?? []).filter(time => time > now - RATE_WINDOW_MS);
  return recent.length < limit
    ? now
    : recent[recent.length - limit] + RATE_WINDOW_MS;
}

/**
 * The limit per minute as a whole number, at least 1.
 */
export function rateLimitOf(perMinute: number): number {
  return Math.max(1, Math.floor(perMinute));
}
