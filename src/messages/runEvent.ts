import type { TranslationBundle } from '@jupyterlab/translation';
import type {
  ILmkEvent,
  IRunSummary,
  LmkEventKind,
  RunOutcome
} from '../tokens';
import {
  baseName,
  boundTraceback,
  cellLabel,
  escapeMarkdown,
  humanDuration
} from './format';

/**
 * The event kind each reportable outcome maps to.
 */
const EVENT_KINDS: { [outcome in RunOutcome]: LmkEventKind | null } = {
  finished: 'run.finished',
  failed: 'run.failed',
  interrupted: 'run.interrupted',
  'kernel-died': 'kernel.died',
  'kernel-restarted': 'kernel.restarted',
  cancelled: null
};

/**
 * Build the event for an ended run, or `null` for a run that has nothing
 * to report (every cell cancelled).
 *
 * @param notebookUrl - the link back to the notebook in this lab.
 */
export function buildRunEvent(
  summary: IRunSummary,
  notebookUrl: string,
  trans: TranslationBundle
): ILmkEvent | null {
  const kind = EVENT_KINDS[summary.outcome];
  if (!kind) {
    return null;
  }
  const name = baseName(summary.notebookPath);
  const duration = humanDuration(summary.durationSeconds, trans);
  const failure = summary.failure;
  const traceback = failure ? boundTraceback(failure.traceback) : [];
  const failedCell = failure
    ? cellLabel(failure.index, failure.executionCount, trans)
    : '';

  let title: string;
  let outcomeLine: string;
  switch (summary.outcome) {
    case 'finished':
      title = trans.__('%1 finished', name);
      outcomeLine = trans.__('Finished in %1.', duration);
      break;
    case 'failed':
      title = trans.__('%1 failed', name);
      outcomeLine = trans.__('Failed at %1 after %2.', failedCell, duration);
      break;
    case 'interrupted':
      title = trans.__('%1 was interrupted', name);
      outcomeLine = trans.__(
        'Interrupted at %1 after %2.',
        failedCell,
        duration
      );
      break;
    case 'kernel-died':
      title = trans.__('%1: the kernel died', name);
      outcomeLine = trans.__('The kernel died after %1.', duration);
      break;
    default:
      title = trans.__('%1: the kernel restarted', name);
      outcomeLine = trans.__('The kernel was restarted after %1.', duration);
      break;
  }
  const cellsLine = trans._n(
    // `_n` passes the count as %1.
    '%2 of %1 cell executed.',
    '%2 of %1 cells executed.',
    summary.cells,
    summary.executed
  );
  const errorLine =
    failure && summary.outcome === 'failed'
      ? `${failure.ename}: ${failure.evalue}`
      : '';

  const text = [outcomeLine + ' ' + cellsLine, errorLine, traceback.join('\n')]
    .filter(Boolean)
    .join('\n');
  const message = [
    `[${escapeMarkdown(name)}](${notebookUrl}): ${outcomeLine} ${cellsLine}`,
    errorLine ? `**${escapeMarkdown(errorLine)}**` : '',
    traceback.length ? '```\n' + traceback.join('\n') + '\n```' : ''
  ]
    .filter(Boolean)
    .join('\n\n');

  return {
    version: 1,
    event: kind,
    title,
    message,
    text,
    notebook: { path: summary.notebookPath, name, url: notebookUrl },
    run: {
      cells: summary.cells,
      executed: summary.executed,
      started: summary.started,
      finished: summary.finished,
      duration_s: Math.round(summary.durationSeconds * 1000) / 1000
    },
    cell: failure
      ? { index: failure.index, execution_count: failure.executionCount }
      : null,
    error: failure
      ? { ename: failure.ename, evalue: failure.evalue, traceback }
      : null,
    kernel: summary.kernel,
    report: null
  };
}

/**
 * Build the event for a notification sent by hand (command or API).
 */
export function buildManualEvent(message: string, title: string): ILmkEvent {
  return {
    version: 1,
    event: 'manual',
    title,
    message,
    text: message,
    notebook: null,
    run: null,
    cell: null,
    error: null,
    kernel: null,
    report: null
  };
}

/**
 * The event of a test notification ("Send a Test Notification", a
 * channel's Test button).
 */
export function buildTestEvent(trans: TranslationBundle): ILmkEvent {
  return buildManualEvent(
    trans.__('If you can read this, notifications reach you here.'),
    trans.__('Test notification')
  );
}
