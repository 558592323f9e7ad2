import type { JupyterFrontEnd } from '@jupyterlab/application';

/**
 * Run `task` once the lab is restored and the browser has a quiet moment
 * (at most `timeoutMs` later): start-up work that can wait is kept out of
 * the page's load and its first frames.
 */
export function afterRestore(
  app: JupyterFrontEnd,
  task: () => unknown,
  timeoutMs = 2000
): void {
  void app.restored.then(() => {
    const run = () => void task();
    if (typeof window.requestIdleCallback === 'function') {
      window.requestIdleCallback(run, { timeout: timeoutMs });
    } else {
      window.setTimeout(run, 0);
    }
  });
}
