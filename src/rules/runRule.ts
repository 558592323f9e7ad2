import type { IRunSummary } from '../tokens';

/**
 * Whether an ended run deserves a notification under the default rule:
 * it ran for at least `threshold` seconds and finished, failed, or lost
 * its kernel. Interrupts and restarts are the user's own doing and are
 * not reported; cancelled runs have nothing to report.
 */
export function shouldNotifyRun(
  summary: IRunSummary,
  threshold: number
): boolean {
  switch (summary.outcome) {
    case 'finished':
    case 'failed':
    case 'kernel-died':
      return summary.durationSeconds >= threshold;
    default:
      return false;
  }
}
