import type { TranslationBundle } from '@jupyterlab/translation';
import { baseName, humanDuration } from '../../messages/format';
import type { ILmkEvent } from '../../tokens';
import type { IKernelWatchTarget } from '../remoteServer';

/**
 * What a watched kernel did.
 */
export interface IWatchOutcome {
  kind: 'finished' | 'died';
  /** When the kernel was first seen busy (ISO-8601), if it was. */
  started: string | null;
  /** When the outcome was seen (ISO-8601). */
  ended: string;
}

/**
 * What a watch is called in messages: the notebook's name, else the
 * kernel's.
 */
export function watchLabel(target: IKernelWatchTarget): string {
  return target.path ? baseName(target.path) : target.kernelName;
}

/**
 * The event of a "tell me when it's done" watch that ended: `run.finished`
 * when the kernel went idle, `kernel.died` when it died or disappeared.
 * It names the kernel and the server by their display names only: never
 * the server's address or token.
 *
 * @param notebookUrl - a link to the notebook in this lab, for this lab's
 *   own server; null for other servers (whose notebooks are not here).
 */
export function buildWatchEvent(
  target: IKernelWatchTarget,
  outcome: IWatchOutcome,
  notebookUrl: string | null,
  trans: TranslationBundle
): ILmkEvent {
  const label = watchLabel(target);
  const server = target.serverName;
  const seconds =
    outcome.started === null
      ? null
      : Math.max(
          0,
          (Date.parse(outcome.ended) - Date.parse(outcome.started)) / 1000
        );
  let title: string;
  let text: string;
  if (outcome.kind === 'finished') {
    title = trans.__('%1 on %2 is done', label, server);
    text =
      seconds === null
        ? trans.__('The kernel %1 is idle again.', target.kernelName)
        : trans.__(
            'The kernel %1 is idle again after %2 busy.',
            target.kernelName,
            humanDuration(seconds, trans)
          );
  } else {
    title = trans.__('%1 on %2: the kernel died', label, server);
    text = trans.__('The kernel %1 died or was shut down.', target.kernelName);
  }
  const notebook = target.path
    ? { path: target.path, name: baseName(target.path), url: notebookUrl ?? '' }
    : null;
  return {
    version: 1,
    event: outcome.kind === 'finished' ? 'run.finished' : 'kernel.died',
    title,
    message: text,
    text,
    notebook,
    run:
      outcome.started === null
        ? null
        : {
            cells: 0,
            executed: 0,
            started: outcome.started,
            finished: outcome.ended,
            duration_s: Math.round((seconds ?? 0) * 1000) / 1000
          },
    cell: null,
    error: null,
    kernel: { id: target.kernelId, name: target.kernelName },
    report: null
  };
}
