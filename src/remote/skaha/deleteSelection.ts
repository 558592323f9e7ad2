/**
 * Choose the sessions to delete by name: a literal prefix or a regular
 * expression, as the Python client's `Session.destroy_with` does
 * (opencadc/canfar `canfar/sessions.py`: a literal prefix is anchored at
 * the start of the name, a regular expression is searched anywhere in it).
 * Unlike that method, the choice is explicit (no guessing from
 * metacharacters) and the result is a preview: nothing is deleted here.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ISkahaSession } from './skahaSession';

/** How the pattern is read. */
export type DeleteMatchMode = 'prefix' | 'regex';

/** Longest regular expression accepted (a guard against pasted novels). */
const MAX_PATTERN = 500;

/**
 * The sessions whose names match, in list order, or a message for the
 * user when the pattern is empty or not a valid regular expression.
 */
export function selectSessions(
  sessions: readonly ISkahaSession[],
  pattern: string,
  mode: DeleteMatchMode,
  trans: TranslationBundle
): { matches: ISkahaSession[]; error: string | null } {
  if (!pattern) {
    return {
      matches: [],
      error:
        mode === 'prefix'
          ? trans.__('Type the start of the names to delete.')
          : trans.__('Type a regular expression that matches the names.')
    };
  }
  if (mode === 'prefix') {
    return {
      matches: sessions.filter(session => session.name.startsWith(pattern)),
      error: null
    };
  }
  if (pattern.length > MAX_PATTERN) {
    return {
      matches: [],
      error: trans.__(
        'The regular expression is too long (at most %1 characters).',
        MAX_PATTERN
      )
    };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (reason) {
    return {
      matches: [],
      error: trans.__(
        'This is not a valid regular expression: %1',
        reason instanceof Error ? reason.message : String(reason)
      )
    };
  }
  return {
    matches: sessions.filter(session => regex.test(session.name)),
    error: null
  };
}
