import type { RunOutcome } from '../tokens';
import type { NotifyMode } from './notifyMode';

/**
 * What the rules need to know of an ended run.
 */
export interface IRunRuleInput {
  outcome: RunOutcome;
  durationSeconds: number;
  /** Seconds from which `default` and `still-running` report a run. */
  threshold: number;
  /** The global default mode (settings). */
  globalMode: NotifyMode;
  /** The notebook's mode, `null` when it follows the global one. */
  notebookMode: NotifyMode | null;
  /** Each cell of the run's own mode, `null` when it follows the notebook. */
  cellModes: Iterable<NotifyMode | null>;
  /** The user asked to be told when this run ends ("notify when done"). */
  armed: boolean;
}

/**
 * Whether an ended run deserves a notification. Precedence (docs/rules.md,
 * "Which runs notify"):
 *
 * 1. a cancelled run has nothing to report; an armed one always reports;
 * 2. each cell's mode is its own, else the notebook's, else the global one
 *    (the nearer wins), and the run notifies if any of its cells asks for it;
 * 3. a failure is also reported when the notebook (or global) mode is
 *    `on-error` or `always`, even if the failing cells are marked `never`;
 * 4. a kernel that died or restarted during the run is reported whatever
 *    the threshold, unless every cell of the run is silenced (`never`);
 * 5. an interrupt is the user's own doing: reported only when armed.
 */
export function shouldNotifyRun(input: IRunRuleInput): boolean {
  const { outcome } = input;
  if (outcome === 'cancelled') {
    return false;
  }
  if (input.armed) {
    return true;
  }
  const notebookLevel = input.notebookMode ?? input.globalMode;
  const modes = effectiveModes(input.cellModes, notebookLevel);
  switch (outcome) {
    case 'kernel-died':
    case 'kernel-restarted':
      return [...modes].some(mode => mode !== 'never');
    case 'interrupted':
      return false;
    case 'failed':
      if (notebookLevel === 'on-error' || notebookLevel === 'always') {
        return true;
      }
      break;
    default:
      break;
  }
  return [...modes].some(mode =>
    wantsEnd(mode, outcome, input.durationSeconds, input.threshold)
  );
}

/**
 * Whether a run still going deserves a "still running" notification: one
 * of its cells (by the nearer-wins rule) is in `still-running` mode.
 */
export function wantsStillRunning(
  globalMode: NotifyMode,
  notebookMode: NotifyMode | null,
  cellModes: Iterable<NotifyMode | null>
): boolean {
  return effectiveModes(cellModes, notebookMode ?? globalMode).has(
    'still-running'
  );
}

/**
 * Whether a run waiting for input should say so: unless every cell of the
 * run is silenced, a run stuck on `input()` is always worth telling.
 */
export function wantsInputAlert(
  globalMode: NotifyMode,
  notebookMode: NotifyMode | null,
  cellModes: Iterable<NotifyMode | null>
): boolean {
  return [...effectiveModes(cellModes, notebookMode ?? globalMode)].some(
    mode => mode !== 'never'
  );
}

/**
 * The distinct modes in force for the cells of a run (a run-all over a
 * thousand cells has one or two).
 */
function effectiveModes(
  cellModes: Iterable<NotifyMode | null>,
  notebookLevel: NotifyMode
): Set<NotifyMode> {
  const modes = new Set<NotifyMode>();
  for (const mode of cellModes) {
    modes.add(mode ?? notebookLevel);
  }
  if (modes.size === 0) {
    modes.add(notebookLevel);
  }
  return modes;
}

function wantsEnd(
  mode: NotifyMode,
  outcome: RunOutcome,
  durationSeconds: number,
  threshold: number
): boolean {
  const ended = outcome === 'finished' || outcome === 'failed';
  switch (mode) {
    case 'never':
      return false;
    case 'on-error':
      return outcome === 'failed';
    case 'always':
      return ended;
    default:
      return ended && durationSeconds >= threshold;
  }
}
