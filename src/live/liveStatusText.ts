import type { TranslationBundle } from '@jupyterlab/translation';
import {
  baseName,
  cellLabel,
  escapeMarkdown,
  humanDuration,
  stripAnsi
} from '../messages/format';
import type { ILmkEvent, IRunSummary, LmkEventKind } from '../tokens';

/** Longest first line of a cell, and last line of output, shown. */
export const MAX_LINE_CHARS = 160;

/**
 * Where a shared run is, as its status message shows it.
 */
export interface ILiveSnapshot {
  notebookPath: string;
  /** The link back to the notebook in this lab. */
  notebookUrl: string;
  kernel: { id: string; name: string } | null;
  /** Cells in the run. */
  cells: number;
  /** Cells whose execution completed so far. */
  executed: number;
  /** ISO-8601 start of the run (kernel clock where known). */
  started: string;
  /** Seconds since the kernel started the run (kernel clock). */
  elapsedSeconds: number;
  /** The current cell's first line (only with `includeSource`). */
  firstLine: string | null;
  /** The run's last line of output (only with `outputLines`). */
  lastOutput: string | null;
}

/**
 * What happened to the shared run, as far as the status tells.
 *
 * - `running`: still going
 * - `ended`: the run ended, however
 * - `stopped`: the user stopped sharing it from the lab (at `at`)
 * - `closed`: the notebook was closed in the lab (at `at`)
 */
export type LivePhase =
  | { kind: 'running' }
  | { kind: 'ended'; summary: IRunSummary }
  | { kind: 'stopped'; at: number }
  | { kind: 'closed'; at: number };

/**
 * What the phone asked, and when (epoch ms), for the status to say so.
 */
export interface ILiveNotes {
  /** An interrupt was sent to the kernel at the phone's command. */
  interruptedAt?: number;
  /** The phone muted the run. */
  mutedAt?: number;
  /** A command came after the run ended: nothing was done. */
  lateAt?: number;
}

/**
 * How the phone sends commands on this channel, for the status's hint.
 */
export type LiveCommandPath =
  { kind: 'matrix'; owner: string } | { kind: 'ntfy' } | { kind: 'none' };

/**
 * A clock time for people, "02:13", in the lab's time zone.
 */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The last line a person would read in an output text: the last non-empty
 * line, after its last carriage return (a progress bar redraws itself
 * with one), without terminal colours.
 */
export function lastLine(text: string): string {
  const lines = stripAnsi(text).split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const shown = lines[i].split('\r').filter(part => part.trim());
    if (shown.length) {
      return shown[shown.length - 1].trim();
    }
  }
  return '';
}

/**
 * Elapsed time, coarse enough that the status does not change every second:
 * tens of seconds, then minutes, then hours and minutes.
 */
export function liveElapsed(seconds: number, trans: TranslationBundle): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  if (total < 60) {
    return trans.__('%1 s', Math.floor(total / 10) * 10);
  }
  if (total < 3600) {
    return trans.__('%1 min', Math.floor(total / 60));
  }
  return humanDuration(total, trans);
}

/**
 * The status message of a shared run, as an event every channel formats
 * (Matrix notice, ntfy message). Pure: the time of day is passed in the
 * notes and phase, the run's state in the snapshot.
 *
 * A running run's title says where it is ("cell 3 of 8, 12 min"); its
 * body, how long it has run on the kernel's clock, the current cell's first
 * line and the last line of output (when given), what the phone asked,
 * and how to send a command. An ended run's says the outcome.
 */
export function buildLiveStatus(
  snapshot: ILiveSnapshot,
  phase: LivePhase,
  notes: ILiveNotes,
  path: LiveCommandPath,
  trans: TranslationBundle
): ILmkEvent {
  const name = baseName(snapshot.notebookPath);
  const position = Math.min(snapshot.executed + 1, snapshot.cells);
  const where = trans.__('cell %1 of %2', position, snapshot.cells);
  const elapsed = liveElapsed(snapshot.elapsedSeconds, trans);
  const lines: { text: string; markdown: string }[] = [];
  const say = (text: string, markdown = escapeMarkdown(text)) =>
    lines.push({ text, markdown });

  let title: string;
  let kind: LmkEventKind = 'run.still_running';
  let summary: IRunSummary | null = null;
  switch (phase.kind) {
    case 'running':
      title = trans.__('%1: %2, %3', name, where, elapsed);
      say(trans.__('Running for %1 (kernel clock), at %2.', elapsed, where));
      break;
    case 'ended':
      summary = phase.summary;
      kind = Private.endKind(summary);
      title = Private.endTitle(summary, notes, name, trans);
      say(Private.endLine(summary, notes, trans));
      break;
    case 'stopped':
      title = trans.__('%1: no longer shared live', name);
      say(
        trans.__(
          'Sharing stopped in the lab at %1, at %2 after %3; the run goes on.',
          clockTime(phase.at),
          where,
          elapsed
        )
      );
      break;
    default:
      title = trans.__('%1: live status stopped', name);
      say(
        trans.__(
          'The notebook was closed in the lab at %1 (at %2 after %3): its status is no longer followed.',
          clockTime(phase.at),
          where,
          elapsed
        )
      );
      break;
  }

  if (phase.kind === 'running' || phase.kind === 'stopped') {
    if (snapshot.firstLine) {
      const line = Private.oneLine(snapshot.firstLine);
      say(
        trans.__('Cell: %1', line),
        escapeMarkdown(trans.__('Cell: %1', '\u0000')).replace(
          '\u0000',
          Private.inlineCode(line)
        )
      );
    }
    if (snapshot.lastOutput) {
      const line = Private.oneLine(snapshot.lastOutput);
      say(
        trans.__('Last output: %1', line),
        escapeMarkdown(trans.__('Last output: %1', '\u0000')).replace(
          '\u0000',
          Private.inlineCode(line)
        )
      );
    }
  }
  if (notes.interruptedAt !== undefined && phase.kind !== 'ended') {
    say(
      trans.__(
        'Interrupted from the phone at %1.',
        clockTime(notes.interruptedAt)
      )
    );
  }
  if (notes.mutedAt !== undefined) {
    say(
      trans.__(
        'Muted from the phone at %1: no notification about this run.',
        clockTime(notes.mutedAt)
      )
    );
  }
  if (notes.lateAt !== undefined) {
    say(
      trans.__(
        'A command from the phone at %1 came after the run ended: nothing was done.',
        clockTime(notes.lateAt)
      )
    );
  }
  if (phase.kind === 'running') {
    const hint = Private.hint(path, notes, trans);
    if (hint) {
      say(hint);
    }
  }

  const link = `[${escapeMarkdown(name)}](${snapshot.notebookUrl})`;
  return {
    version: 1,
    event: kind,
    title,
    text: lines.map(line => line.text).join('\n'),
    message: [link, ...lines.map(line => line.markdown)].join('\n\n'),
    notebook: {
      path: snapshot.notebookPath,
      name,
      url: snapshot.notebookUrl
    },
    run: summary
      ? {
          cells: summary.cells,
          executed: summary.executed,
          started: summary.started,
          finished: summary.finished,
          duration_s: Math.round(summary.durationSeconds * 1000) / 1000
        }
      : {
          cells: snapshot.cells,
          executed: snapshot.executed,
          started: snapshot.started,
          finished: null,
          duration_s: Math.round(snapshot.elapsedSeconds * 1000) / 1000
        },
    cell: null,
    error: null,
    kernel: snapshot.kernel,
    report: null
  };
}

namespace Private {
  export function endKind(summary: IRunSummary): LmkEventKind {
    switch (summary.outcome) {
      case 'finished':
        return 'run.finished';
      case 'failed':
        return 'run.failed';
      case 'interrupted':
        return 'run.interrupted';
      case 'kernel-died':
        return 'kernel.died';
      case 'kernel-restarted':
        return 'kernel.restarted';
      default:
        return 'run.still_running';
    }
  }

  export function endTitle(
    summary: IRunSummary,
    notes: ILiveNotes,
    name: string,
    trans: TranslationBundle
  ): string {
    switch (summary.outcome) {
      case 'finished':
        return trans.__('%1 finished', name);
      case 'failed':
        return trans.__('%1 failed', name);
      case 'interrupted':
        return notes.interruptedAt !== undefined
          ? trans.__(
              '%1 was interrupted from the phone at %2',
              name,
              clockTime(notes.interruptedAt)
            )
          : trans.__('%1 was interrupted', name);
      case 'kernel-died':
        return trans.__('%1: the kernel died', name);
      case 'kernel-restarted':
        return trans.__('%1: the kernel restarted', name);
      default:
        return trans.__('%1: nothing ran', name);
    }
  }

  export function endLine(
    summary: IRunSummary,
    notes: ILiveNotes,
    trans: TranslationBundle
  ): string {
    const duration = humanDuration(summary.durationSeconds, trans);
    const failure = summary.failure;
    const at = failure
      ? cellLabel(failure.index, failure.executionCount, trans)
      : '';
    const cells = trans.__(
      '%1 of %2 cells ran.',
      summary.executed,
      summary.cells
    );
    switch (summary.outcome) {
      case 'finished':
        return trans.__('Finished in %1. %2', duration, cells);
      case 'failed':
        return trans.__(
          'Failed at %1 after %2: %3. %4',
          at,
          duration,
          Private.oneLine(`${failure?.ename ?? ''}: ${failure?.evalue ?? ''}`),
          cells
        );
      case 'interrupted':
        return notes.interruptedAt !== undefined
          ? trans.__(
              'Interrupted from the phone at %1, at %2 after %3. %4',
              clockTime(notes.interruptedAt),
              at,
              duration,
              cells
            )
          : trans.__('Interrupted at %1 after %2. %3', at, duration, cells);
      case 'kernel-died':
        return trans.__('The kernel died after %1. %2', duration, cells);
      case 'kernel-restarted':
        return trans.__(
          'The kernel was restarted after %1. %2',
          duration,
          cells
        );
      default:
        return trans.__('No cell ran.');
    }
  }

  /**
   * How to send a command from the phone, while the run goes on.
   */
  export function hint(
    path: LiveCommandPath,
    notes: ILiveNotes,
    trans: TranslationBundle
  ): string {
    const canStop = notes.interruptedAt === undefined;
    const canMute = notes.mutedAt === undefined;
    if (path.kind === 'matrix') {
      if (canStop && canMute) {
        return trans.__(
          'To stop it, react with 🛑 or reply "stop"; to hear no more of it, react with 🔕 or reply "mute" (from %1 only).',
          path.owner
        );
      }
      if (canStop) {
        return trans.__(
          'To stop it, react with 🛑 or reply "stop" (from %1 only).',
          path.owner
        );
      }
      return canMute
        ? trans.__(
            'To hear no more of it, react with 🔕 or reply "mute" (from %1 only).',
            path.owner
          )
        : '';
    }
    if (path.kind === 'ntfy') {
      if (canStop && canMute) {
        return trans.__(
          'Tap Interrupt to stop it, or Mute to hear no more of it.'
        );
      }
      if (canStop) {
        return trans.__('Tap Interrupt to stop it.');
      }
      return canMute ? trans.__('Tap Mute to hear no more of it.') : '';
    }
    return '';
  }

  /**
   * One line of text, bounded: whitespace runs become one space.
   */
  export function oneLine(text: string): string {
    const line = text.replace(/\s+/g, ' ').trim();
    return line.length > MAX_LINE_CHARS
      ? line.slice(0, MAX_LINE_CHARS - 1) + '…'
      : line;
  }

  /**
   * Inline code that keeps any backticks inside it.
   */
  export function inlineCode(text: string): string {
    const longest = Math.max(
      0,
      ...(text.match(/`+/g) ?? []).map(run => run.length)
    );
    const fence = '`'.repeat(longest + 1);
    const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
    return `${fence}${pad}${text}${pad}${fence}`;
  }
}
