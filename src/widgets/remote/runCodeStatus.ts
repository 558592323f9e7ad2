import type { TranslationBundle } from '@jupyterlab/translation';
import type { CodeRun } from '../../remote/runCode/codeRun';

/**
 * The Run code panel's status line for a run: running (or waiting for the
 * kernel, or for an answer), slow, done, failed or interrupted with the
 * elapsed seconds, or why it ended otherwise.
 */
export function statusText(run: CodeRun, trans: TranslationBundle): string {
  const elapsed = seconds(run.elapsedMs);
  switch (run.state) {
    case 'running':
      if (run.pendingInput) {
        return trans.__('Waiting for your answer to the prompt below.');
      }
      return run.started
        ? trans.__('Running… %1 s', elapsed)
        : trans.__(
            'Waiting for the kernel to finish earlier work… %1 s',
            elapsed
          );
    case 'slow':
      return trans.__(
        'Taking longer than %1 s — Interrupt?',
        seconds(run.timeoutMs)
      );
    case 'done':
      return run.executionCount !== null
        ? trans.__('Done in %1 s [%2].', elapsed, run.executionCount)
        : trans.__('Done in %1 s.', elapsed);
    case 'error':
      if (run.interrupted) {
        return trans.__('Interrupted after %1 s.', elapsed);
      }
      return trans.__(
        'Failed with %1 after %2 s.',
        run.error?.ename ?? trans.__('an error'),
        elapsed
      );
    default:
      return run.message;
  }
}

/** Seconds with a tenth under 10 s, whole ones after. */
function seconds(ms: number): string {
  return ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000));
}
