import type { Kernel } from '@jupyterlab/services';
import { type ISignal, Signal } from '@lumino/signaling';
import { type InstallOutcome, KernelLink } from './kernelLink';
import { type IHelloReply, readHello, type RelayPush } from './relayProtocol';

/**
 * Where a kernel stands with the relay:
 *
 * - `unknown`: not asked yet;
 * - `absent`: an IPython kernel without the watcher (installed with its
 *   next run);
 * - `installing`, `ready`;
 * - `refused`: the watcher could not be installed (`reason`);
 * - `silent`: the kernel does not answer the relay's requests;
 * - `other`: not an IPython kernel.
 */
export type WatcherState =
  | 'unknown'
  | 'absent'
  | 'installing'
  | 'ready'
  | 'refused'
  | 'silent'
  | 'other';

/**
 * One kernel connection of this page, as the relay knows it.
 */
export interface IKernelState {
  readonly kernel: Kernel.IKernelConnection;
  readonly link: KernelLink;
  watcher: WatcherState;
  /** Why it was refused (`not-ipykernel`, `ipykernel-version`, `error`, ...). */
  reason: string | null;
  detail: string | null;
  /** The watcher's version, once ready. */
  version: string | null;
  /**
   * Settles when an installation under way has run in the kernel (a
   * request on the control channel sent before would find no watcher).
   */
  installed: Promise<void>;
  /** Whether its watcher has the translated strings (sent once). */
  strings: boolean;
}

/**
 * The kernel connections the relay talks to: for each, whether it is an
 * IPython kernel (from its kernel info), whether the watcher is there
 * (asked on the control channel, which also subscribes this page to its
 * pushes), installing it, and starting over when the kernel restarts.
 */
export class RelayKernels {
  constructor(options: RelayKernels.IOptions) {
    this._hello = options.hello;
    this._onHello = options.onHello;
    this._onPush = options.onPush;
  }

  /** Emitted when a kernel's state changes (for the status shown). */
  get changed(): ISignal<this, IKernelState> {
    return this._changed;
  }

  /** The state of a kernel connection, if the relay has seen it. */
  get(kernel: Kernel.IKernelConnection): IKernelState | undefined {
    return this._states.get(kernel);
  }

  /** The state of an open connection to the kernel with this id. */
  byId(kernelId: string): IKernelState | undefined {
    for (const state of this._states.values()) {
      if (state.kernel.id === kernelId && !state.kernel.isDisposed) {
        return state;
      }
    }
    return undefined;
  }

  /**
   * Start following a kernel connection: find out whether it is an
   * IPython kernel and whether the watcher is there. Idempotent.
   */
  follow(kernel: Kernel.IKernelConnection): IKernelState {
    let state = this._states.get(kernel);
    if (state) {
      return state;
    }
    state = {
      kernel,
      link: new KernelLink(kernel),
      watcher: 'unknown',
      reason: null,
      detail: null,
      version: null,
      installed: Promise.resolve(),
      strings: false
    };
    this._states.set(kernel, state);
    const current = state;
    kernel.statusChanged.connect(this._onStatus, this);
    kernel.disposed.connect(() => this._forget(current));
    void this._ask(state);
    return state;
  }

  /**
   * Install the watcher now (its request goes out at once, ahead of what
   * the caller sends next), unless it is there in this version.
   */
  install(
    state: IKernelState,
    relay: { version: string; loader: string; modules: { [n: string]: string } }
  ): void {
    if (state.watcher === 'ready' && state.version === relay.version) {
      return;
    }
    if (state.watcher === 'installing') {
      return;
    }
    let outcome: Promise<InstallOutcome>;
    try {
      outcome = state.link.install(relay);
    } catch {
      return;
    }
    this._set(state, 'installing');
    state.installed = outcome.then(result => {
      if (this._states.get(state.kernel) !== state) {
        return;
      }
      if (result.ok) {
        state.version = result.version;
        state.strings = false;
        this._set(state, 'ready');
        this._subscribe(state);
      } else {
        state.reason = result.reason;
        state.detail = result.detail ?? null;
        this._set(state, 'refused');
      }
    });
  }

  /** Stop listening to every kernel. */
  dispose(): void {
    for (const state of [...this._states.values()]) {
      this._forget(state);
    }
    Signal.clearData(this);
  }

  /**
   * Whether it is an IPython kernel (ipykernel says `implementation:
   * "ipython"` in its kernel info), then whether the watcher answers. A
   * Python kernelspec is asked at once: a page opened while a cell runs gets
   * the kernel info only once the cell is done (it is a shell request), and
   * the watcher answers on the control channel meanwhile.
   */
  private async _ask(state: IKernelState): Promise<void> {
    const spec = await state.kernel.spec.catch(() => undefined);
    if (this._states.get(state.kernel) !== state) {
      return;
    }
    const python = spec?.language?.toLowerCase() === 'python';
    if (python) {
      this._subscribe(state);
    }
    let info: { implementation?: string };
    try {
      info = (await state.kernel.info) as { implementation?: string };
    } catch {
      return;
    }
    if (this._states.get(state.kernel) !== state) {
      return;
    }
    if (info.implementation !== 'ipython') {
      this._subscriptions.get(state)?.dispose();
      this._subscriptions.delete(state);
      this._set(state, 'other');
    } else if (!python) {
      this._subscribe(state);
    }
  }

  /**
   * Say hello (which also asks whether the watcher is there) and keep
   * the subscription for the watcher's pushes.
   */
  private _subscribe(state: IKernelState): void {
    this._subscriptions.get(state)?.dispose();
    let subscription: ReturnType<typeof state.link.subscribe>;
    try {
      subscription = state.link.subscribe(this._hello(state), push =>
        this._onPush(state, push)
      );
    } catch {
      return;
    }
    this._subscriptions.set(state, subscription.future);
    const timer = setTimeout(() => {
      if (state.watcher === 'unknown') {
        this._set(state, 'silent');
      }
    }, 10_000);
    void subscription.reply.then(reply => {
      clearTimeout(timer);
      if (this._states.get(state.kernel) !== state) {
        return;
      }
      if (!reply) {
        subscription.future.dispose();
        if (state.watcher === 'unknown' || state.watcher === 'silent') {
          this._set(state, 'absent');
        }
        return;
      }
      if (typeof reply.version === 'string') {
        state.version = reply.version;
      }
      if (state.watcher !== 'installing') {
        this._set(state, 'ready');
      }
      this._onHello(state, readHello(reply));
    });
  }

  private _onStatus(
    kernel: Kernel.IKernelConnection,
    status: Kernel.Status
  ): void {
    const state = this._states.get(kernel);
    if (!state) {
      return;
    }
    if (status === 'restarting' || status === 'autorestarting') {
      // A new process: no watcher, no subscription.
      this._subscriptions.get(state)?.dispose();
      this._subscriptions.delete(state);
      state.version = null;
      state.reason = null;
      state.strings = false;
      if (state.watcher !== 'other') {
        this._set(state, 'absent');
      }
    }
  }

  private _forget(state: IKernelState): void {
    if (this._states.get(state.kernel) !== state) {
      return;
    }
    this._states.delete(state.kernel);
    state.kernel.statusChanged.disconnect(this._onStatus, this);
    const future = this._subscriptions.get(state);
    this._subscriptions.delete(state);
    if (future && !future.isDisposed) {
      future.dispose();
    }
  }

  private _set(state: IKernelState, watcher: WatcherState): void {
    if (state.watcher !== watcher) {
      state.watcher = watcher;
      this._changed.emit(state);
    }
  }

  private _hello: (state: IKernelState) => { [key: string]: unknown };
  private _onHello: (state: IKernelState, hello: IHelloReply) => void;
  private _onPush: (state: IKernelState, push: RelayPush) => void;
  private _states = new Map<Kernel.IKernelConnection, IKernelState>();
  private _subscriptions = new Map<IKernelState, Kernel.IControlFuture>();
  private _changed = new Signal<this, IKernelState>(this);
}

/**
 * The namespace for `RelayKernels` statics.
 */
export namespace RelayKernels {
  /**
   * Options of the relay's kernels.
   */
  export interface IOptions {
    /** The fields of this page's hello (holder, client). */
    hello: (state: IKernelState) => { [key: string]: unknown };
    /** What the watcher said to the hello. */
    onHello: (state: IKernelState, hello: IHelloReply) => void;
    /** A push of the watcher (a run ended, a delivery made). */
    onPush: (state: IKernelState, push: RelayPush) => void;
  }
}
