import type { TranslationBundle } from '@jupyterlab/translation';
import type { INotifyPayload } from '../kernelNotify/payload';
import type { ISnippetResult } from '../report/kernelEvaluation';
import type { ILmkEvent } from '../tokens';
import { baseName, boundTraceback, humanDuration } from './format';

/**
 * Where a kernel event comes from.
 */
export interface IEventSource {
  notebookPath: string;
  notebookUrl: string;
  kernel: { id: string; name: string } | null;
}

/**
 * Add report values to an event: under `report`, and as a "Report" section
 * of the message and the text.
 */
export function withReport(
  event: ILmkEvent,
  report: { [name: string]: string },
  trans: TranslationBundle
): ILmkEvent {
  const names = Object.keys(report);
  if (names.length === 0) {
    return event;
  }
  const lines = names.map(name => `${name}: ${report[name]}`);
  const heading = trans.__('Report');
  return {
    ...event,
    report,
    text: [event.text, `${heading}:`, ...lines].join('\n'),
    message: [
      event.message,
      `**${heading}**\n\n` +
        lines.map(line => '- `' + line.replace(/`/g, "'") + '`').join('\n')
    ].join('\n\n')
  };
}

/**
 * The event for a notification that kernel code asked for.
 */
export function buildKernelNotifyEvent(
  payload: INotifyPayload,
  source: IEventSource
): ILmkEvent {
  const name = baseName(source.notebookPath);
  return {
    version: 1,
    event: 'manual',
    title: payload.title ?? name,
    message: payload.message,
    text: payload.message,
    notebook: { path: source.notebookPath, name, url: source.notebookUrl },
    run: null,
    cell: null,
    error: null,
    kernel: source.kernel,
    report: null
  };
}

/**
 * The event reporting what a snippet run by `lmk:run-and-report` produced.
 */
export function buildSnippetEvent(
  result: ISnippetResult,
  source: IEventSource,
  trans: TranslationBundle
): ILmkEvent {
  const name = baseName(source.notebookPath);
  const elapsed = humanDuration(result.elapsedSeconds, trans);
  const traceback = result.error ? boundTraceback(result.error.traceback) : [];
  let title: string;
  let summary: string;
  if (result.timedOut) {
    title = trans.__('%1: snippet still running', name);
    summary = trans.__(
      'No answer after %1; the kernel is still busy.',
      elapsed
    );
  } else if (result.error) {
    title = trans.__('%1: snippet failed', name);
    summary = `${result.error.ename}: ${result.error.evalue}`;
  } else {
    title = trans.__('%1: snippet result', name);
    summary = trans.__('Done in %1.', elapsed);
  }
  const blocks = [
    result.stdout.trimEnd(),
    result.stderr.trimEnd(),
    result.result ?? ''
  ].filter(Boolean);
  const text = [summary, ...blocks, traceback.join('\n')]
    .filter(Boolean)
    .join('\n');
  const message = [
    summary,
    ...blocks.map(block => '```\n' + block + '\n```'),
    traceback.length ? '```\n' + traceback.join('\n') + '\n```' : ''
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    version: 1,
    event: 'manual',
    title,
    message,
    text,
    notebook: { path: source.notebookPath, name, url: source.notebookUrl },
    run: null,
    cell: null,
    error: result.error
      ? {
          ename: result.error.ename,
          evalue: result.error.evalue,
          traceback
        }
      : null,
    kernel: source.kernel,
    report: null
  };
}
