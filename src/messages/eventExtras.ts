import type { TranslationBundle } from '@jupyterlab/translation';
import type { HeldCounts } from '../rules/floodGuard';
import type { ILmkEvent } from '../tokens';
import { escapeMarkdown, stripAnsi } from './format';
import { heldSummary } from './progressEvents';

/** Longest title prefix kept from a notebook's metadata. */
export const MAX_TITLE_PREFIX = 40;
/** Most source lines and characters quoted from a failing cell. */
export const SOURCE_MAX_LINES = 15;
export const SOURCE_MAX_CHARS = 1500;
/** Most characters of output quoted. */
export const OUTPUT_MAX_CHARS = 2000;

/**
 * The notebook's own title prefix (`lmk.titlePrefix` in its metadata), or
 * an empty string.
 */
export function readTitlePrefix(lmkMetadata: unknown): string {
  const prefix =
    lmkMetadata && typeof lmkMetadata === 'object'
      ? (lmkMetadata as { titlePrefix?: unknown }).titlePrefix
      : undefined;
  return typeof prefix === 'string'
    ? prefix.replace(/\s+/g, ' ').trim().slice(0, MAX_TITLE_PREFIX)
    : '';
}

/**
 * Put the notebook's title prefix in front of the event's title.
 */
export function withTitlePrefix(event: ILmkEvent, prefix: string): ILmkEvent {
  return prefix ? { ...event, title: `${prefix} ${event.title}` } : event;
}

/**
 * Add an excerpt of the cell's source (opt-in) to the event's body.
 */
export function withSource(
  event: ILmkEvent,
  source: string,
  trans: TranslationBundle
): ILmkEvent {
  const excerpt = sourceExcerpt(source);
  if (!excerpt) {
    return event;
  }
  const heading = trans.__('Cell source:');
  return appendBlock(event, heading, excerpt);
}

/**
 * Add the last lines of the cell's output (opt-in) to the event's body.
 */
export function withOutputTail(
  event: ILmkEvent,
  output: string,
  lines: number,
  trans: TranslationBundle
): ILmkEvent {
  const tail = outputTail(output, lines);
  if (!tail) {
    return event;
  }
  return appendBlock(event, trans.__('Last output:'), tail);
}

/**
 * Mention what the flood guard held back since the last notification.
 */
export function withHeld(
  event: ILmkEvent,
  held: HeldCounts,
  trans: TranslationBundle
): ILmkEvent {
  const summary = heldSummary(held, trans);
  if (!summary) {
    return event;
  }
  const line = trans.__('Also, since the last notification: %1.', summary);
  return {
    ...event,
    text: `${event.text}\n${line}`,
    message: `${event.message}\n\n${escapeMarkdown(line)}`
  };
}

/**
 * The first lines of a cell's source, within bounds.
 */
export function sourceExcerpt(source: string): string {
  const lines = source.replace(/\s+$/, '').split('\n');
  let excerpt = lines.slice(0, SOURCE_MAX_LINES).join('\n');
  if (excerpt.length > SOURCE_MAX_CHARS) {
    excerpt = excerpt.slice(0, SOURCE_MAX_CHARS - 1) + '…';
  } else if (lines.length > SOURCE_MAX_LINES) {
    excerpt += '\n…';
  }
  return excerpt;
}

/**
 * The last `lines` lines of an output text, ANSI stripped and bounded.
 */
export function outputTail(output: string, lines: number): string {
  if (lines <= 0) {
    return '';
  }
  const all = stripAnsi(output).replace(/\s+$/, '').split('\n');
  let tail = all.slice(-lines).join('\n');
  if (tail.length > OUTPUT_MAX_CHARS) {
    tail = '…' + tail.slice(tail.length - OUTPUT_MAX_CHARS + 1);
  } else if (all.length > lines) {
    tail = '…\n' + tail;
  }
  return tail.trim() ? tail : '';
}

function appendBlock(
  event: ILmkEvent,
  heading: string,
  block: string
): ILmkEvent {
  // A code fence longer than any backtick run inside keeps the block whole.
  const longest = Math.max(
    2,
    ...(block.match(/`+/g) ?? []).map(run => run.length)
  );
  const fence = '`'.repeat(longest + 1);
  return {
    ...event,
    text: `${event.text}\n${heading}\n${block}`,
    message: `${event.message}\n\n${escapeMarkdown(heading)}\n\n${fence}\n${block}\n${fence}`
  };
}
