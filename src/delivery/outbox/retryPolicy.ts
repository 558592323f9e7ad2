import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDeliveryResult } from '../../tokens';
import { DeliveryError } from '../deliveryError';
import { backoffDelay, type IBackoffPolicy } from './backoff';
import type { IOutboxEntry } from './outboxStore';

/**
 * What a failed attempt leads to: a retry, when, and what the user reads
 * meanwhile; or the end of the delivery, and why. Pure: the outbox applies
 * the decision to its stored entry.
 *
 * - A cause retrying cannot fix (401, 403, 404, other 4xx, bad settings,
 *   a fault in the channel) ends it at once.
 * - A passing cause (no connection, timeout, 408, 429, 5xx) is retried
 *   with growing, jittered delays until the retry time is over. A 429
 *   waits as long as the service asked (`Retry-After`), and when its
 *   answer cannot be read (a browser hides it from another origin unless
 *   the service exposes it) at least 30 s, doubling.
 * - An attempt that may have reached the service without an answer saying
 *   so (a timeout, a dropped connection, a tab closed mid-send) is retried
 *   only where the service drops copies (`deduplicates`). Elsewhere a
 *   timeout means "sent, not confirmed", and any other such attempt is
 *   made at most twice, the second after 30 s at the earliest.
 * - A failure a CORS refusal would explain (the server answers, but the
 *   browser gave no answer to read) may as well be a connection reset: it
 *   is retried, and called a CORS refusal only when it lasts
 *   (`CORS_VERDICT_FAILURES` failures over 2 minutes). Until then
 *   the user reads that the connection failed, not "CORS".
 */
export interface IFailureDecision {
  /** What the user reads: `pending` while retried, else the end. */
  result: IDeliveryResult;
  /** When to try again (ms since epoch), or null: the delivery is over. */
  retryAt: number | null;
  /** The entry's counters after this failure. */
  unconfirmed: number;
  corsSince: number | null;
}

/** A CORS refusal is concluded after at least this many failures. */
export const CORS_VERDICT_FAILURES = 4;
/** Sends that may have arrived, at most, to a service that keeps copies. */
export const MAX_UNCONFIRMED = 2;

/**
 * The waits of the policy (tests run them faster).
 */
export interface IRetryTimes {
  /**
   * A CORS refusal is concluded when every attempt failed so for this long
   * (longer than a laptop takes to wake up or a network to change).
   */
  corsVerdictMs: number;
  /** Shortest wait before a second send that may double the first. */
  unconfirmedRetryMs: number;
  /** Shortest wait after a 429 whose `Retry-After` cannot be read. */
  rateLimitFloorMs: number;
  /** Longest such floor (it doubles with each 429). */
  rateLimitFloorCapMs: number;
}

/**
 * The policy's waits: CORS concluded after 2 min, a second unconfirmed
 * send after 30 s, a 429 without a readable `Retry-After` 30 s, doubling
 * up to 5 min.
 */
export const DEFAULT_RETRY_TIMES: IRetryTimes = {
  corsVerdictMs: 2 * 60_000,
  unconfirmedRetryMs: 30_000,
  rateLimitFloorMs: 30_000,
  rateLimitFloorCapMs: 5 * 60_000
};

/**
 * Decide what a failed attempt leads to.
 */
export function decideAfterFailure(failure: IFailure): IFailureDecision {
  const { entry, reason, now, trans, deduplicates } = failure;
  const times = failure.times ?? DEFAULT_RETRY_TIMES;
  const channelId = entry.channelId;
  const failures = entry.failures + 1;
  const cause =
    reason instanceof Error && reason.message
      ? reason.message
      : trans.__('The channel failed for an unknown reason.');
  const end = (result: Omit<IDeliveryResult, 'channelId'>) => ({
    result: { channelId, ...result },
    retryAt: null,
    unconfirmed: entry.unconfirmed,
    corsSince: entry.corsSince
  });
  if (
    !(reason instanceof DeliveryError) ||
    !(reason.retryable || reason.kind === 'cors')
  ) {
    return end({ status: 'failed', detail: cause });
  }
  const corsSince = reason.kind === 'cors' ? (entry.corsSince ?? now) : null;
  const unconfirmed = entry.unconfirmed + (reason.mayHaveArrived ? 1 : 0);
  const counted = { unconfirmed, corsSince };
  const guarded = !deduplicates && reason.mayHaveArrived;
  if (guarded && reason.kind === 'timeout') {
    return {
      ...end({
        status: 'sent',
        confirmed: false,
        detail: trans.__(
          'Sent, but not confirmed: %1 It is not sent again: this channel cannot drop copies, and the message may have arrived.',
          cause
        )
      }),
      ...counted
    };
  }
  if (guarded && unconfirmed >= MAX_UNCONFIRMED) {
    return {
      ...end({
        status: 'failed',
        detail: trans.__(
          '%1 Tried twice, and not again: this channel cannot drop copies, and a message that got no answer may have arrived.',
          cause
        )
      }),
      ...counted
    };
  }
  if (
    reason.kind === 'cors' &&
    corsSince !== null &&
    failures >= CORS_VERDICT_FAILURES &&
    now - corsSince >= times.corsVerdictMs
  ) {
    return { ...end({ status: 'failed', detail: cause }), ...counted };
  }
  const floor =
    reason.retryAfterMs ??
    (reason.kind === 'rate-limited'
      ? Math.min(
          times.rateLimitFloorCapMs,
          times.rateLimitFloorMs * Math.pow(2, failures - 1)
        )
      : null);
  let delay = backoffDelay(failures, floor, failure.backoff, failure.random);
  if (guarded) {
    delay = Math.max(delay, times.unconfirmedRetryMs);
  }
  if (now + delay - entry.created > failure.retryMs) {
    return {
      ...end({
        status: 'failed',
        detail: trans.__(
          'Gave up after %1: %2',
          delayText(now - entry.created, trans),
          cause
        )
      }),
      ...counted
    };
  }
  return {
    result: {
      channelId,
      status: 'pending',
      detail: trans.__(
        'Will retry in %1 (at %2): %3',
        delayText(delay, trans),
        new Date(now + delay).toLocaleTimeString(),
        reason.pendingMessage
      )
    },
    retryAt: now + delay,
    ...counted
  };
}

/**
 * One failed attempt, with what the decision depends on.
 */
export interface IFailure {
  /** The entry as it was before this attempt. */
  entry: IOutboxEntry;
  /** What the channel threw. */
  reason: unknown;
  now: number;
  /** How long deliveries are retried, in ms. */
  retryMs: number;
  /** Whether the channel's service drops repeated deliveries. */
  deduplicates: boolean;
  backoff: IBackoffPolicy;
  /** Default `DEFAULT_RETRY_TIMES`. */
  times?: IRetryTimes;
  random: () => number;
  trans: TranslationBundle;
}

/**
 * A duration for the user: "45 s", "3 min", "1 h".
 */
export function delayText(ms: number, trans: TranslationBundle): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) {
    return trans.__('%1 s', seconds);
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) {
    return trans.__('%1 min', minutes);
  }
  return trans.__('%1 h', Math.round(minutes / 60));
}
