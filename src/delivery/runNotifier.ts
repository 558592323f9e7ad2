import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { shouldNotifyRun } from '../rules/runRule';
import type { ILmkNotifier, IRunSummary, IRunTracker } from '../tokens';

/** How long report expressions may take before the notification goes without them. */
export const REPORT_TIMEOUT_MS = 5000;

/**
 * What the run notifier needs to know of a notebook, found by path.
 */
export interface INotebookLookup {
  /** The notebook's `lmk` metadata. */
  lmkMetadata: unknown;
  kernel: Kernel.IKernelConnection | null;
}

/**
 * Turns ended runs into notifications: applies the rule, builds the event,
 * adds the notebook's report values, and hands it to the notifier.
 */
export class RunNotifier {
  constructor(options: RunNotifier.IOptions) {
    this._options = options;
    options.runs.runEnded.connect((_, summary) => {
      void this.handle(summary);
    });
  }

  /**
   * Notify about one ended run if the rule says so.
   */
  async handle(summary: IRunSummary): Promise<void> {
    const { notifier, threshold, notebookUrl, findNotebook, trans } =
      this._options;
    if (!shouldNotifyRun(summary, threshold())) {
      return;
    }
    // Loaded with the first notification, not with the lab.
    const { buildRunEvent } = await import('../messages/runEvent');
    let event = buildRunEvent(
      summary,
      notebookUrl(summary.notebookPath),
      trans
    );
    if (!event) {
      return;
    }
    const notebook = findNotebook(summary.notebookPath);
    const { readReport } = await import('../report/reportExpressions');
    const expressions = readReport(notebook?.lmkMetadata);
    if (expressions.length && notebook?.kernel) {
      const [{ evaluateReport }, { withReport }] = await Promise.all([
        import('../report/kernelEvaluation'),
        import('../messages/kernelEvents')
      ]);
      const report = await evaluateReport(notebook.kernel, expressions, {
        timeoutMs: REPORT_TIMEOUT_MS,
        trans
      });
      event = withReport(event, report, trans);
    }
    await notifier.notify({
      id: `run:${summary.id}`,
      event,
      target: {
        path: summary.notebookPath,
        cellId: summary.failure?.cellId ?? summary.lastCellId
      }
    });
  }

  private _options: RunNotifier.IOptions;
}

/**
 * The namespace for `RunNotifier` statics.
 */
export namespace RunNotifier {
  /**
   * Options to create a run notifier.
   */
  export interface IOptions {
    runs: IRunTracker;
    notifier: ILmkNotifier;
    /** The current threshold, in seconds (settings apply live). */
    threshold: () => number;
    /** The absolute address of a notebook in this lab. */
    notebookUrl: (path: string) => string;
    findNotebook: (path: string) => INotebookLookup | null;
    trans: TranslationBundle;
  }
}
