import { URLExt } from '@jupyterlab/coreutils';
import {
  KernelAPI,
  KernelConnection,
  ServerConnection
} from '@jupyterlab/services';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';
import { Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';
import type { ILmkNotifier } from '../../tokens';
import type { IKernelWatchTarget } from '../remoteServer';
import { LOCAL_SERVER_ID } from '../remoteServer';
import { type KernelWatches, watchKey } from './kernelWatches';
import { buildWatchEvent } from './watchEvents';
import type { IWatchOutcome } from './watchEvents';

/**
 * Runs the watches: follows each watched kernel and, once it has been busy
 * and goes idle, notifies `run.finished`; when it dies or disappears,
 * `kernel.died`. Each watch then ends (one-shot).
 *
 * It follows the kernel's iopub `status` messages over its own websocket
 * (status of `execute_request`s only, so its own `kernel_info_request` and
 * other clients' completions do not count). It also polls the server's
 * kernel list (with backoff on errors): that is how it sees the kernel
 * disappear, and how it follows busy and idle when the websocket cannot
 * be opened or drops.
 *
 * Every tab runs the same watches; a notification's id depends only on the
 * kernel and what it ran (the last `execute_request`'s msg_id, or the
 * kernel's `last_activity` when polling), so the notifier sends it once.
 *
 * Input requests of other clients cannot be seen: the server sends
 * `input_request` on stdin to the requesting client only.
 */
export class KernelWatcher implements IDisposable {
  constructor(options: KernelWatcher.IOptions) {
    this._options = options;
    options.watches.changed.connect(this._sync, this);
    this._sync();
  }

  /** Whether it has been disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** How many kernels are being followed right now. */
  get activeCount(): number {
    return this._runs.size;
  }

  /** Stop following every kernel (the stored watches are kept). */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.watches.changed.disconnect(this._sync, this);
    for (const run of this._runs.values()) {
      run.dispose();
    }
    this._runs.clear();
  }

  private _sync(): void {
    if (this._isDisposed) {
      return;
    }
    const { watches } = this._options;
    const wanted = new Map(
      watches.list().map(target => [watchKey(target), target])
    );
    for (const [key, run] of this._runs) {
      if (!wanted.has(key)) {
        run.dispose();
        this._runs.delete(key);
      }
    }
    for (const [key, target] of wanted) {
      if (this._runs.has(key)) {
        continue;
      }
      const settings = this._options.resolveSettings(target.serverId);
      if (!settings) {
        // The server was removed from the settings: nothing to follow.
        watches.remove(target.serverId, target.kernelId);
        continue;
      }
      const run = new Private.WatchRun(target, settings, this._options, {
        end: (outcome, suffix) => this._end(key, target, outcome, suffix)
      });
      this._runs.set(key, run);
      run.start();
    }
  }

  private _end(
    key: string,
    target: IKernelWatchTarget,
    outcome: IWatchOutcome,
    suffix: string
  ): void {
    const run = this._runs.get(key);
    if (!run || this._isDisposed) {
      return;
    }
    run.dispose();
    this._runs.delete(key);
    const { notifier, trans } = this._options;
    const notebookUrl = this._options.notebookUrl
      ? this._options.notebookUrl(target)
      : Private.defaultNotebookUrl(target);
    const event = buildWatchEvent(target, outcome, notebookUrl, trans);
    const id = `lmk-watch:${target.serverId}:${target.kernelId}:${outcome.kind}:${suffix}`;
    void notifier.notify({ id, event, target: null }).catch(() => undefined);
    this._options.watches.remove(target.serverId, target.kernelId);
  }

  private _options: KernelWatcher.IOptions;
  private _runs = new Map<string, Private.WatchRun>();
  private _isDisposed = false;
}

/**
 * The namespace for `KernelWatcher` statics.
 */
export namespace KernelWatcher {
  /**
   * Options of the watcher.
   */
  export interface IOptions {
    watches: KernelWatches;
    notifier: ILmkNotifier;
    trans: TranslationBundle;
    /**
     * The connection settings of a server id (`settingsForServer`), or null
     * when it is no longer configured (the watch is then dropped).
     */
    resolveSettings(serverId: string): ServerConnection.ISettings | null;
    /** The link to a watched notebook (default: this lab's, local only). */
    notebookUrl?(target: IKernelWatchTarget): string | null;
    /** Polling interval of the fallback (default 3 s, backing off on errors). */
    pollIntervalMs?: number;
    /**
     * How long the kernel must stay idle before it counts as done (default
     * 1.5 s): a notebook run is one `execute_request` per cell, with a
     * short idle between cells.
     */
    settleMs?: number;
    /** How long to wait for the websocket before polling (default 10 s). */
    connectTimeoutMs?: number;
  }
}

namespace Private {
  /** The link to a notebook of this lab's own server. */
  export function defaultNotebookUrl(
    target: IKernelWatchTarget
  ): string | null {
    if (target.serverId !== LOCAL_SERVER_ID || !target.path) {
      return null;
    }
    return URLExt.join(
      ServerConnection.makeSettings().baseUrl,
      'lab/tree',
      URLExt.encodeParts(target.path)
    );
  }

  /**
   * A kernel's model, or undefined when the server no longer has it.
   *
   * Read from the list of kernels rather than `GET api/kernels/{id}`:
   * jupyter_server sends its error answers (the 404 of a gone kernel)
   * without CORS headers, so a lab on another origin cannot read them.
   */
  export async function kernelModel(
    kernelId: string,
    settings: ServerConnection.ISettings
  ): Promise<Kernel.IModel | undefined> {
    const models = await KernelAPI.listRunning(settings);
    return models.find(model => model.id === kernelId);
  }

  /**
   * Following one kernel until it is done or dies.
   */
  export class WatchRun implements IDisposable {
    constructor(
      readonly target: IKernelWatchTarget,
      readonly settings: ServerConnection.ISettings,
      options: KernelWatcher.IOptions,
      readonly callbacks: {
        end(outcome: IWatchOutcome, suffix: string): void;
      }
    ) {
      this._pollMs = options.pollIntervalMs ?? 3000;
      this._settleMs = options.settleMs ?? 1500;
      this._connectMs = options.connectTimeoutMs ?? 10_000;
    }

    get isDisposed(): boolean {
      return this._isDisposed;
    }

    start(): void {
      void this._begin();
    }

    dispose(): void {
      if (this._isDisposed) {
        return;
      }
      this._isDisposed = true;
      this._closeSocket();
      clearTimeout(this._settle);
      this._poll?.dispose();
      this._poll = null;
    }

    private async _begin(): Promise<void> {
      // Where the kernel is now: it may already be busy, or gone.
      try {
        const model = await Private.kernelModel(
          this.target.kernelId,
          this.settings
        );
        if (this._isDisposed) {
          return;
        }
        if (!model || model.execution_state === 'dead') {
          this._finish('died', 'gone');
          return;
        }
        if (model.execution_state === 'busy') {
          this._markBusy();
        }
        this._connect(model);
      } catch {
        // Not reachable right now: polling backs off until it is.
      }
      // Always poll: a shut-down kernel is not always told over its
      // websocket, and the websocket may never open.
      this._startPolling();
    }

    private _connect(model: Kernel.IModel): void {
      if (this._isDisposed) {
        return;
      }
      let kernel: Kernel.IKernelConnection;
      try {
        kernel = new KernelConnection({
          model,
          serverSettings: this.settings,
          handleComms: false
        });
      } catch {
        this._startPolling();
        return;
      }
      this._kernel = kernel;
      const timer = setTimeout(() => {
        if (kernel.connectionStatus !== 'connected') {
          this._closeSocket();
        }
      }, this._connectMs);
      kernel.connectionStatusChanged.connect((_, status) => {
        if (status === 'connected') {
          clearTimeout(timer);
        } else if (this._kernel === kernel) {
          // Lost (shut down, server gone, proxy): polling tells which.
          clearTimeout(timer);
          this._closeSocket();
        }
      });
      kernel.iopubMessage.connect((_, message) => this._onIopub(message));
      kernel.statusChanged.connect((_, status) => {
        if (status === 'dead') {
          this._finish('died', 'dead');
        }
      });
    }

    private _onIopub(message: KernelMessage.IIOPubMessage): void {
      if (message.header.msg_type !== 'status') {
        return;
      }
      const parent = message.parent_header as Partial<KernelMessage.IHeader>;
      if (parent?.msg_type !== 'execute_request') {
        return;
      }
      const state = (message as KernelMessage.IStatusMsg).content
        .execution_state;
      if (state === 'busy') {
        this._markBusy();
      } else if (state === 'idle' && this._busySince !== null) {
        this._settleThen(parent.msg_id ?? '');
      }
    }

    private _markBusy(): void {
      clearTimeout(this._settle);
      this._busySince = this._busySince ?? new Date().toISOString();
    }

    /** Done unless it turns busy again within the settle time. */
    private _settleThen(suffix: string): void {
      clearTimeout(this._settle);
      this._settle = setTimeout(
        () => this._finish('finished', suffix),
        this._settleMs
      );
    }

    private _startPolling(): void {
      if (this._isDisposed || this._poll) {
        return;
      }
      this._poll = new Poll({
        factory: () => this._check(),
        frequency: {
          interval: this._pollMs,
          backoff: true,
          max: Math.max(this._pollMs, 60_000)
        },
        standby: 'never'
      });
    }

    private async _check(): Promise<void> {
      const model = await Private.kernelModel(
        this.target.kernelId,
        this.settings
      );
      if (this._isDisposed) {
        return;
      }
      if (!model || model.execution_state === 'dead') {
        this._finish('died', 'gone');
        return;
      }
      if (this._kernel?.connectionStatus === 'connected') {
        // The websocket follows busy and idle more closely.
        return;
      }
      if (model.execution_state === 'busy') {
        this._markBusy();
        this._idleSeen = null;
      } else if (model.execution_state === 'idle' && this._busySince) {
        // Idle twice in a row with the same activity: it is done.
        const activity = model.last_activity ?? '';
        if (this._idleSeen === activity) {
          this._finish('finished', activity);
        } else {
          this._idleSeen = activity;
        }
      }
    }

    private _finish(kind: IWatchOutcome['kind'], suffix: string): void {
      if (this._isDisposed) {
        return;
      }
      this.callbacks.end(
        {
          kind,
          started: this._busySince,
          ended: new Date().toISOString()
        },
        suffix
      );
    }

    private _closeSocket(): void {
      const kernel = this._kernel;
      this._kernel = null;
      if (kernel) {
        Signal.clearData(kernel);
        kernel.dispose();
      }
    }

    private _pollMs: number;
    private _settleMs: number;
    private _connectMs: number;
    private _kernel: Kernel.IKernelConnection | null = null;
    private _poll: Poll | null = null;
    private _settle: ReturnType<typeof setTimeout> | undefined = undefined;
    private _busySince: string | null = null;
    private _idleSeen: string | null = null;
    private _isDisposed = false;
  }
}
