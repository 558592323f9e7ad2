import type { TranslationBundle } from '@jupyterlab/translation';

/**
 * Longest traceback kept in an event, in lines and in characters.
 */
export const TRACEBACK_MAX_LINES = 30;
export const TRACEBACK_MAX_CHARS = 4000;

// CSI sequences (colours, cursor moves) and OSC sequences (hyperlinks).
const ANSI = new RegExp(
  [
    '\\u001b\\[[0-9;?]*[ -/]*[@-~]',
    '\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)'
  ].join('|'),
  'g'
);

/**
 * Remove terminal colour and control sequences.
 */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * Strip ANSI codes from a traceback and keep its tail within bounds: the
 * last lines are where the error is, so the head is what gets dropped.
 */
export function boundTraceback(
  traceback: readonly string[],
  maxLines = TRACEBACK_MAX_LINES,
  maxChars = TRACEBACK_MAX_CHARS
): string[] {
  // Kernels send entries that may themselves hold several lines.
  const lines = traceback.flatMap(entry => stripAnsi(entry).split('\n'));
  const kept: string[] = [];
  let chars = 0;
  for (let i = lines.length - 1; i >= 0 && kept.length < maxLines; i--) {
    const line = lines[i];
    if (chars + line.length > maxChars) {
      if (kept.length === 0) {
        kept.unshift('…' + line.slice(line.length - maxChars + 1));
      }
      break;
    }
    kept.unshift(line);
    chars += line.length + 1;
  }
  if (kept.length < lines.length) {
    kept.unshift('…');
  }
  return kept;
}

/**
 * A duration for people: "45 s", "3 min 05 s", "2 h 03 min", "3 d 4 h".
 */
export function humanDuration(
  seconds: number,
  trans: TranslationBundle
): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    seconds = 0;
  }
  if (seconds < 10) {
    return trans.__('%1 s', (Math.round(seconds * 10) / 10).toString());
  }
  const total = Math.round(seconds);
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  const pad = (n: number) => n.toString().padStart(2, '0');
  if (days > 0) {
    return trans.__('%1 d %2 h', days, hours);
  }
  if (hours > 0) {
    return trans.__('%1 h %2 min', hours, pad(minutes));
  }
  if (minutes > 0) {
    return trans.__('%1 min %2 s', minutes, pad(secs));
  }
  return trans.__('%1 s', secs);
}

/**
 * The file name of a path.
 */
export function baseName(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] || path;
}

/**
 * "cell 3 (In [12])": the one-based position, and the execution count as the
 * lab prints it left of the cell; "cell 3" while the cell has none. Every
 * channel names a cell this way.
 */
export function cellLabel(
  index: number,
  executionCount: number | null,
  trans: TranslationBundle
): string {
  const position = index >= 0 ? String(index + 1) : '?';
  return executionCount === null
    ? trans.__('cell %1', position)
    : trans.__('cell %1 (In [%2])', position, executionCount);
}

/**
 * Escape the characters markdown would read as formatting or links.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>])/g, '\\$1');
}
