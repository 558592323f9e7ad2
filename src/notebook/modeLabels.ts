import type { TranslationBundle } from '@jupyterlab/translation';
import type { NotifyMode } from '../rules/notifyMode';

/**
 * The value of the `mode` argument that removes a cell's or notebook's own
 * mode, so the level above decides.
 */
export const INHERIT = 'inherit';

/**
 * What a mode means, in a menu.
 */
export function modeLabel(
  mode: NotifyMode | typeof INHERIT,
  level: 'cell' | 'notebook',
  trans: TranslationBundle
): string {
  switch (mode) {
    case 'default':
      return trans.__('When It Takes Longer Than the Threshold');
    case 'always':
      return trans.__('Always');
    case 'on-error':
      return trans.__('Only When It Fails');
    case 'still-running':
      return trans.__('Also When Still Running');
    case 'never':
      return trans.__('Never');
    default:
      return level === 'cell'
        ? trans.__('As the Notebook Says')
        : trans.__('As the Settings Say');
  }
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
