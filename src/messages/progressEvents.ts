import type { TranslationBundle } from '@jupyterlab/translation';
import type { HeldCounts } from '../rules/floodGuard';
import type { IActiveRun, IInputRequest, ILmkEvent } from '../tokens';
import { baseName, cellLabel, escapeMarkdown, humanDuration } from './format';

/** Longest input prompt quoted in a message. */
const MAX_PROMPT = 200;

/**
 * Build the event for a run still going after the "still running" delay.
 */
export function buildStillRunningEvent(
  run: IActiveRun,
  notebookUrl: string,
  trans: TranslationBundle
): ILmkEvent {
  const name = baseName(run.notebookPath);
  const current = run.current();
  const where = current
    ? trans.__('on %1', cellLabel(current.index, null, trans))
    : '';
  const line = [
    trans.__(
      'Still running after %1',
      humanDuration(run.durationSeconds, trans)
    ),
    where
  ]
    .filter(Boolean)
    .join(', ');
  const cells = Private.cellsLine(run, trans);
  return Private.event(run, notebookUrl, trans, {
    kind: 'run.still_running',
    title: trans.__('%1 is still running', name),
    text: `${line}. ${cells}`,
    cell: current
  });
}

/**
 * Build the event for a run that waits for an answer to `input()`.
 */
export function buildInputEvent(
  request: IInputRequest,
  notebookUrl: string,
  trans: TranslationBundle
): ILmkEvent {
  const { run } = request;
  const name = baseName(run.notebookPath);
  const cell = cellLabel(request.index, null, trans);
  let prompt = request.prompt.trim();
  if (prompt.length > MAX_PROMPT) {
    prompt = prompt.slice(0, MAX_PROMPT - 1) + '…';
  }
  const line = request.password
    ? trans.__('%1 asks for a password.', cell)
    : prompt
      ? trans.__('%1 asks: %2', cell, prompt)
      : trans.__('%1 asks for input.', cell);
  return Private.event(run, notebookUrl, trans, {
    kind: 'input.requested',
    title: trans.__('%1 is waiting for input', name),
    text: `${line} ${trans.__('The run waits until someone answers.')}`,
    cell: { index: request.index }
  });
}

/**
 * Build the summary of notifications the flood guard held back for a
 * notebook: "nb.ipynb: 3 more failures".
 */
export function buildHeldEvent(
  notebookPath: string,
  notebookUrl: string,
  held: HeldCounts,
  trans: TranslationBundle
): ILmkEvent {
  const name = baseName(notebookPath);
  const summary = heldSummary(held, trans);
  const text = trans.__(
    'Held back to avoid a flood of notifications: %1.',
    summary
  );
  return {
    version: 1,
    event: held['run.failed'] ? 'run.failed' : 'run.finished',
    title: trans.__('%1: %2', name, summary),
    message: `[${escapeMarkdown(name)}](${notebookUrl}): ${escapeMarkdown(text)}`,
    text,
    notebook: { path: notebookPath, name, url: notebookUrl },
    run: null,
    cell: null,
    error: null,
    kernel: null,
    report: null
  };
}

/**
 * "3 more failures, 1 more run finished": what the flood guard held back.
 */
export function heldSummary(
  held: HeldCounts,
  trans: TranslationBundle
): string {
  const parts: string[] = [];
  for (const [kind, count] of Object.entries(held)) {
    if (!count) {
      continue;
    }
    switch (kind) {
      case 'run.failed':
        parts.push(trans._n('%1 more failure', '%1 more failures', count));
        break;
      case 'run.finished':
        parts.push(
          trans._n('%1 more run finished', '%1 more runs finished', count)
        );
        break;
      default:
        parts.push(
          trans._n('%1 more notification', '%1 more notifications', count)
        );
        break;
    }
  }
  return parts.join(', ');
}

namespace Private {
  export function cellsLine(run: IActiveRun, trans: TranslationBundle): string {
    return trans._n(
      // `_n` passes the count as %1.
      '%2 of %1 cell executed.',
      '%2 of %1 cells executed.',
      run.cellIds.length,
      run.executed
    );
  }

  export function event(
    run: IActiveRun,
    notebookUrl: string,
    trans: TranslationBundle,
    parts: {
      kind: ILmkEvent['event'];
      title: string;
      text: string;
      cell: { index: number } | null;
    }
  ): ILmkEvent {
    const name = baseName(run.notebookPath);
    return {
      version: 1,
      event: parts.kind,
      title: parts.title,
      message: `[${escapeMarkdown(name)}](${notebookUrl}): ${escapeMarkdown(parts.text)}`,
      text: parts.text,
      notebook: { path: run.notebookPath, name, url: notebookUrl },
      run: {
        cells: run.cellIds.length,
        executed: run.executed,
        started: run.started,
        finished: null,
        duration_s: Math.round(run.durationSeconds * 1000) / 1000
      },
      cell: parts.cell
        ? { index: parts.cell.index, execution_count: null }
        : null,
      error: null,
      kernel: run.kernel,
      report: null
    };
  }
}
