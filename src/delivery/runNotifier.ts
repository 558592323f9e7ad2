import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { FloodGuard } from '../rules/floodGuard';
import {
  channelsForNotebook,
  readNotebookChannels
} from '../rules/notebookChannels';
import { type NotifyMode, readMode } from '../rules/notifyMode';
import {
  shouldNotifyRun,
  wantsInputAlert,
  wantsStillRunning
} from '../rules/runRule';
import type { ILmkSettings } from '../settings/lmkSettings';
import type {
  IActiveRun,
  IInputRequest,
  ILmkEvent,
  ILmkNotifier,
  INotificationTarget,
  INotifyWhenDone,
  IRunSummary,
  IRunTracker
} from '../tokens';

/** How long report expressions may take before the notification goes without them. */
export const REPORT_TIMEOUT_MS = 5000;

/**
 * What the run notifier needs to know of an open notebook, found by path.
 */
export interface INotebookLookup {
  /** The notebook's `lmk` metadata. */
  lmkMetadata: unknown;
  kernel: Kernel.IKernelConnection | null;
  /**
   * The `lmk` metadata of the cells with these ids (missing ones left out);
   * none when no cell of the notebook has any (the rules read an empty list
   * as every cell following the notebook).
   */
  cellsLmkMetadata(cellIds: readonly string[]): unknown[];
  /** A cell's source and the text of its outputs. */
  cellContent(cellId: string): { source: string; output: string } | null;
}

/**
 * Turns what happens to runs into notifications: applies the rules (modes,
 * threshold, "notify when done", flood guard), builds the event, adds the
 * notebook's extras (title prefix, source, output, report values), and
 * hands it to the notifier.
 */
export class RunNotifier {
  constructor(options: RunNotifier.IOptions) {
    this._options = options;
    this._guard = new FloodGuard(options.flood);
    this._now = options.now ?? Date.now;
    options.runs.runStarted.connect((_, run) => this._runStarted(run));
    options.runs.inputRequested.connect((_, request) => {
      void this.inputRequested(request);
    });
    options.runs.runEnded.connect((_, summary) => {
      void this.handle(summary);
    });
  }

  /**
   * Notify about one ended run if the rules say so.
   *
   * @param decided - for a run this page did not see run (the kernel told
   *   of it): whether it notifies, as the page that ran it decided.
   */
  async handle(summary: IRunSummary, decided?: boolean): Promise<void> {
    const relay = this._options.relay?.() ?? null;
    try {
      await this._handle(summary, relay, decided);
    } finally {
      relay?.handled(summary.id);
    }
  }

  private async _handle(
    summary: IRunSummary,
    relay: RunNotifier.IRelay | null,
    decided: boolean | undefined
  ): Promise<void> {
    const { settings, notebookUrl, findNotebook, whenDone, trans } =
      this._options;
    this._clearTimer(summary.id);
    if (summary.outcome === 'cancelled') {
      // Nothing ran: no need to read the notebook's cells.
      relay?.decided(summary.id, false);
      return;
    }
    const config = settings();
    const notebook = findNotebook(summary.notebookPath);
    const armed = whenDone?.consume(summary.notebookPath) ?? false;
    const live = this._options.live?.() ?? null;
    const notify =
      !live?.isMuted(summary.id) &&
      (decided !== undefined
        ? armed || decided
        : shouldNotifyRun({
            outcome: summary.outcome,
            durationSeconds: summary.durationSeconds,
            threshold: config.threshold,
            globalMode: config.mode,
            notebookMode: readMode(notebook?.lmkMetadata),
            cellModes: Private.modes(notebook, summary.cellIds),
            armed
          }));
    // At once, before the live status's last word: the kernel waits for
    // this page's word before it sends, no longer than its grace window.
    relay?.decided(summary.id, notify);
    if (live) {
      // A run shared live: its status says how it ended first.
      await live.ended(summary.id);
      if (live.isMuted(summary.id)) {
        return;
      }
    }
    if (!notify) {
      return;
    }
    // Loaded with the first notification, not with the lab.
    const [{ buildRunEvent }, extras] = await Promise.all([
      import('../messages/runEvent'),
      import('../messages/eventExtras')
    ]);
    let event = buildRunEvent(
      summary,
      notebookUrl(summary.notebookPath),
      trans
    );
    if (!event) {
      return;
    }
    const focusCellId = summary.failure?.cellId ?? summary.lastCellId;
    const content = notebook?.cellContent(focusCellId) ?? null;
    if (content && config.includeSource && summary.failure) {
      event = extras.withSource(event, content.source, trans);
    }
    if (content && config.outputLines > 0) {
      event = extras.withOutputTail(
        event,
        content.output,
        config.outputLines,
        trans
      );
    }
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
    await this._send(`run:${summary.id}`, event, {
      path: summary.notebookPath,
      cellId: focusCellId
    });
  }

  /**
   * Tell that a run waits for input, unless its cells are all silenced.
   */
  async inputRequested(request: IInputRequest): Promise<void> {
    const { settings, notebookUrl, findNotebook, trans } = this._options;
    const { run } = request;
    if (this._options.live?.()?.isMuted(run.id)) {
      return;
    }
    const config = settings();
    const notebook = findNotebook(run.notebookPath);
    if (
      !wantsInputAlert(
        config.mode,
        readMode(notebook?.lmkMetadata),
        Private.modes(notebook, run.cellIds)
      )
    ) {
      return;
    }
    const { buildInputEvent } = await import('../messages/progressEvents');
    await this._send(
      `input:${run.id}`,
      buildInputEvent(request, notebookUrl(run.notebookPath), trans),
      { path: run.notebookPath, cellId: request.cellId }
    );
  }

  /** Number of "still running" timers pending (one per run going on). */
  get pendingTimers(): number {
    return this._timers.size;
  }

  private _runStarted(run: IActiveRun): void {
    // One timer per run; whether the run's cells want the alert is only
    // worked out if it fires.
    const delay = this._options.settings().stillRunningMinutes * 60_000;
    this._timers.set(
      run.id,
      setTimeout(() => {
        this._timers.delete(run.id);
        void this._stillRunning(run);
      }, delay)
    );
  }

  private async _stillRunning(run: IActiveRun): Promise<void> {
    if (run.isDone || this._options.live?.()?.isMuted(run.id)) {
      return;
    }
    const { settings, notebookUrl, findNotebook, trans } = this._options;
    const config = settings();
    const notebook = findNotebook(run.notebookPath);
    if (
      !wantsStillRunning(
        config.mode,
        readMode(notebook?.lmkMetadata),
        Private.modes(notebook, run.cellIds)
      )
    ) {
      return;
    }
    const { buildStillRunningEvent } =
      await import('../messages/progressEvents');
    const event = buildStillRunningEvent(
      run,
      notebookUrl(run.notebookPath),
      trans
    );
    await this._send(`still:${run.id}`, event, {
      path: run.notebookPath,
      cellId: run.current()?.cellId
    });
  }

  private _clearTimer(runId: string): void {
    const timer = this._timers.get(runId);
    if (timer !== undefined) {
      clearTimeout(timer);
      this._timers.delete(runId);
    }
  }

  /**
   * Send through the flood guard: within the limit, the notification goes
   * out and mentions what was held before it; above, it is counted and a
   * summary follows once the window has room.
   */
  private async _send(
    id: string,
    event: ILmkEvent,
    target: INotificationTarget
  ): Promise<void> {
    const { notifier, findNotebook, trans } = this._options;
    const path = target.path;
    const verdict = this._guard.offer(path, event.event, this._now());
    if (!verdict.send) {
      this._scheduleFlush(path, verdict.retryAt);
      return;
    }
    const extras = await import('../messages/eventExtras');
    if (verdict.held) {
      event = extras.withHeld(event, verdict.held, trans);
    }
    const lmkMetadata = findNotebook(path)?.lmkMetadata;
    event = extras.withTitlePrefix(event, extras.readTitlePrefix(lmkMetadata));
    await notifier.notify({ id, event, target }, this._channelsOf(lmkMetadata));
  }

  /**
   * The channels a notebook chose in its metadata, if it did.
   */
  private _channelsOf(lmkMetadata: unknown): ILmkNotifier.INotifyOptions {
    const chosen = readNotebookChannels(lmkMetadata);
    return chosen
      ? {
          channels: channelsForNotebook(
            this._options.settings().channels,
            chosen
          )
        }
      : {};
  }

  private _scheduleFlush(path: string, at: number): void {
    if (this._flushTimers.has(path)) {
      return;
    }
    const delay = Math.max(0, at - this._now());
    this._flushTimers.set(
      path,
      setTimeout(() => {
        this._flushTimers.delete(path);
        void this._flush(path);
      }, delay)
    );
  }

  private async _flush(path: string): Promise<void> {
    const { notifier, notebookUrl, findNotebook, trans } = this._options;
    const { held, retryAt } = this._guard.flush(path, this._now());
    if (retryAt !== null) {
      this._scheduleFlush(path, retryAt);
    }
    if (!held) {
      return;
    }
    const [{ buildHeldEvent }, extras] = await Promise.all([
      import('../messages/progressEvents'),
      import('../messages/eventExtras')
    ]);
    const lmkMetadata = findNotebook(path)?.lmkMetadata;
    await notifier.notify(
      {
        id: `held:${path}:${this._now()}`,
        event: extras.withTitlePrefix(
          buildHeldEvent(path, notebookUrl(path), held, trans),
          extras.readTitlePrefix(lmkMetadata)
        ),
        target: { path }
      },
      this._channelsOf(lmkMetadata)
    );
  }

  private _options: RunNotifier.IOptions;
  private _guard: FloodGuard;
  private _now: () => number;
  private _timers = new Map<string, ReturnType<typeof setTimeout>>();
  private _flushTimers = new Map<string, ReturnType<typeof setTimeout>>();
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
    /** The current settings (they apply live). */
    settings: () => ILmkSettings;
    /** The absolute address of a notebook in this lab. */
    notebookUrl: (path: string) => string;
    findNotebook: (path: string) => INotebookLookup | null;
    /** The one-shots; null when `:notify-when-done` is disabled. */
    whenDone: INotifyWhenDone | null;
    trans: TranslationBundle;
    /** Flood guard limits (default: 3 per notebook per minute). */
    flood?: FloodGuard.IOptions;
    /** The clock; injectable for tests. */
    now?: () => number;
    /** Runs shared live (src/live), once that plugin is there. */
    live?: () => ILive | null;
    /** The kernel relay, once loaded (src/relay): told of each run's fate. */
    relay?: () => IRelay | null;
  }

  /**
   * What the run notifier asks of the live status of runs.
   */
  export interface ILive {
    /** Resolves once an ended run's live status says how it ended. */
    ended(runId: string): Promise<void>;
    /** Whether the phone muted the run: no notification about it. */
    isMuted(runId: string): boolean;
  }

  /**
   * What the run notifier tells the kernel relay.
   */
  export interface IRelay {
    /** Whether an ended run notifies, as soon as that is decided. */
    decided(runId: string, notify: boolean): void;
    /** The run notifier is done with a run (notified, held or not). */
    handled(runId: string): void;
  }
}

namespace Private {
  export function modes(
    notebook: INotebookLookup | null,
    cellIds: readonly string[]
  ): (NotifyMode | null)[] {
    return notebook
      ? notebook.cellsLmkMetadata(cellIds).map(metadata => readMode(metadata))
      : [];
  }
}
