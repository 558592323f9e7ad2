import type { TranslationBundle } from '@jupyterlab/translation';
import type { NotifyMode } from '../rules/notifyMode';

/**
 * The value of the `mode` argument that removes a cell's or notebook's own
 * mode, so the level above decides.
 */
export const INHERIT = 'inherit';

/**
 * The settings a mode's words quote, so a menu says "30 s or more" rather
 * than "the threshold".
 */
export interface IModeNumbers {
  /** Seconds a run must take to notify in `default` mode. */
  threshold: number;
  /** Minutes after which `still-running` tells once. */
  stillRunningMinutes: number;
}

/**
 * What a mode means, in a menu (title case, as the lab's menus): in the
 * user's words, with the settings' numbers.
 */
export function modeLabel(
  mode: NotifyMode | typeof INHERIT,
  level: 'cell' | 'notebook',
  numbers: IModeNumbers,
  trans: TranslationBundle
): string {
  switch (mode) {
    case 'default':
      return trans.__('When It Takes %1 or More', seconds(numbers, trans));
    case 'always':
      return trans.__('Every Run, However Short');
    case 'on-error':
      return trans.__('Only When It Fails');
    case 'still-running':
      return trans.__(
        'Also When Still Running After %1 min',
        numbers.stillRunningMinutes
      );
    case 'never':
      return trans.__('Never');
    default:
      return level === 'cell'
        ? trans.__('Like the Rest of the Notebook')
        : trans.__('Like My Other Notebooks');
  }
}

/**
 * The heading of a bell's menu: what its choices apply to.
 */
export function modeHeading(
  level: 'cell' | 'notebook',
  trans: TranslationBundle
): string {
  return level === 'cell'
    ? trans.__('Notify me about this cell’s runs')
    : trans.__('Notify me about this notebook’s runs');
}

/**
 * A short word for a mode, for a toolbar button.
 */
export function modeShortLabel(
  mode: NotifyMode,
  trans: TranslationBundle
): string {
  switch (mode) {
    case 'default':
      return trans.__('default');
    case 'always':
      return trans.__('always');
    case 'on-error':
      return trans.__('on error');
    case 'still-running':
      return trans.__('still running');
    default:
      return trans.__('muted');
  }
}

/** "30 s", "2 min", "1 min 30 s": a threshold as people say it. */
function seconds(numbers: IModeNumbers, trans: TranslationBundle): string {
  const total = Math.max(0, Math.round(numbers.threshold));
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  if (minutes === 0) {
    return trans.__('%1 s', rest);
  }
  return rest
    ? trans.__('%1 min %2 s', minutes, rest)
    : trans.__('%1 min', minutes);
}
