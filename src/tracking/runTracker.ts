import type { ISessionContext } from '@jupyterlab/apputils';
import type { Cell } from '@jupyterlab/cells';
import { type Notebook, NotebookActions } from '@jupyterlab/notebook';
import { DisposableDelegate, type IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type {
  IActiveRun,
  IInputRequest,
  IRunSummary,
  IRunTracker
} from '../tokens';
import { NotebookRunWatcher } from './notebookRunWatcher';

/**
 * Tracks the runs of every watched notebook.
 *
 * It listens once to JupyterLab's `NotebookActions.executionScheduled` and
 * hands each scheduled cell to the watcher of its notebook, so the cost per
 * cell does not grow with the number of open notebooks.
 */
export class RunTracker implements IRunTracker, IDisposable {
  constructor(options: RunTracker.IOptions = {}) {
    this._now = options.now;
    NotebookActions.executionScheduled.connect(this._onScheduled, this);
  }

  /** Emitted when a run of any watched notebook ends. */
  get runEnded(): ISignal<this, IRunSummary> {
    return this._runEnded;
  }

  /** Emitted when a run of any watched notebook starts. */
  get runStarted(): ISignal<this, IActiveRun> {
    return this._runStarted;
  }

  /** Emitted the first time a run of any watched notebook waits for input. */
  get inputRequested(): ISignal<this, IInputRequest> {
    return this._inputRequested;
  }

  /**
   * Follow runs as they are handed to the kernel (see
   * `IRunTracker.IBoundaryObserver`); observers are told in the order added.
   */
  addBoundaryObserver(observer: IRunTracker.IBoundaryObserver): IDisposable {
    this._observers.push(observer);
    return new DisposableDelegate(() => {
      const index = this._observers.indexOf(observer);
      if (index >= 0) {
        this._observers.splice(index, 1);
      }
    });
  }

  /** Number of notebooks being watched. */
  get watched(): number {
    return this._watchers.size;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Watch the runs of a notebook until the returned watcher is disposed.
   */
  watch(
    notebook: Notebook,
    sessionContext: ISessionContext,
    path: () => string
  ): NotebookRunWatcher {
    this._watchers.get(notebook)?.dispose();
    const watcher = new NotebookRunWatcher({
      notebook,
      sessionContext,
      path,
      now: this._now,
      observers: this._observers
    });
    watcher.runEnded.connect((_, summary) => this._runEnded.emit(summary));
    watcher.runStarted.connect((_, run) => this._runStarted.emit(run));
    watcher.inputRequested.connect((_, request) =>
      this._inputRequested.emit(request)
    );
    this._watchers.set(notebook, watcher);
    this._lastNotebook = null;
    const forget = () => {
      if (this._watchers.get(notebook) === watcher) {
        this._watchers.delete(notebook);
      }
      if (this._lastNotebook === notebook) {
        this._lastNotebook = null;
        this._lastWatcher = undefined;
      }
    };
    watcher.disposed.connect(forget);
    notebook.disposed.connect(() => watcher.dispose());
    return watcher;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    NotebookActions.executionScheduled.disconnect(this._onScheduled, this);
    for (const watcher of this._watchers.values()) {
      watcher.dispose();
    }
    this._watchers.clear();
    this._lastNotebook = null;
    this._lastWatcher = undefined;
    Signal.clearData(this);
  }

  private _onScheduled(
    _: unknown,
    args: { notebook: Notebook; cell: Cell }
  ): void {
    // One action schedules all its cells in a row: look the notebook's
    // watcher up once, not for each cell.
    if (args.notebook !== this._lastNotebook) {
      this._lastNotebook = args.notebook;
      this._lastWatcher = this._watchers.get(args.notebook);
    }
    this._lastWatcher?.scheduled(args.cell);
  }

  private _now?: () => number;
  private _observers: IRunTracker.IBoundaryObserver[] = [];
  private _watchers = new Map<Notebook, NotebookRunWatcher>();
  private _lastNotebook: Notebook | null = null;
  private _lastWatcher: NotebookRunWatcher | undefined = undefined;
  private _isDisposed = false;
  private _runEnded = new Signal<this, IRunSummary>(this);
  private _runStarted = new Signal<this, IActiveRun>(this);
  private _inputRequested = new Signal<this, IInputRequest>(this);
}

/**
 * The namespace for `RunTracker` statics.
 */
export namespace RunTracker {
  /**
   * Options to create a run tracker.
   */
  export interface IOptions {
    /** The browser clock; injectable for tests. */
    now?: () => number;
  }
}
