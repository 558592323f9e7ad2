import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { IDisposable } from '@lumino/disposable';

/** How a run ends when its kernel is lost to it. */
export type KernelLoss = 'kernel-restarted' | 'kernel-died';

/**
 * Watches a kernel connection for what ends a run from outside its own
 * request: a restart (asked by any client), the kernel's death or shutdown,
 * a lost or closed connection. The run's own reply never comes then, so
 * the run ends on the first of these, with one sentence for the user.
 */
export class KernelLossWatch implements IDisposable {
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    trans: TranslationBundle,
    onLoss: (loss: KernelLoss, message: string) => void
  ) {
    this._trans = trans;
    this._onLoss = onLoss;
    kernel.statusChanged.connect(this._onStatus, this);
    kernel.iopubMessage.connect(this._onKernelIOPub, this);
    kernel.connectionStatusChanged.connect(this._onConnection, this);
    kernel.disposed.connect(this._onKernelDisposed, this);
  }

  /** Whether `dispose` was called. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Stop watching. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this.kernel.statusChanged.disconnect(this._onStatus, this);
    this.kernel.iopubMessage.disconnect(this._onKernelIOPub, this);
    this.kernel.connectionStatusChanged.disconnect(this._onConnection, this);
    this.kernel.disposed.disconnect(this._onKernelDisposed, this);
  }

  private _onStatus(_: Kernel.IKernelConnection, status: Kernel.Status): void {
    // 'starting' comes from a new kernel process: another client restarted
    // the kernel and this connection was only reconnected to it.
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'starting'
    ) {
      this._restarted();
    } else if (status === 'dead') {
      this._onLoss(
        'kernel-died',
        this._trans.__(
          'The kernel died while the code ran. Start a new kernel and run the code again.'
        )
      );
    }
  }

  /**
   * Messages of every request: a restart or shutdown asked by another
   * client shows here first (the kernel broadcasts its shutdown reply).
   */
  private _onKernelIOPub(
    _: Kernel.IKernelConnection,
    msg: KernelMessage.IIOPubMessage
  ): void {
    if (msg.header.msg_type !== 'shutdown_reply') {
      return;
    }
    const content = msg.content as { restart?: boolean };
    if (content.restart) {
      this._restarted();
    } else {
      this._onLoss(
        'kernel-died',
        this._trans.__(
          'The kernel was shut down while the code ran. Start a new kernel and run the code again.'
        )
      );
    }
  }

  private _restarted(): void {
    this._onLoss(
      'kernel-restarted',
      this._trans.__(
        'The kernel restarted while the code ran; its variables and output are gone. Run the code again if you need it.'
      )
    );
  }

  private _onConnection(
    _: Kernel.IKernelConnection,
    status: Kernel.ConnectionStatus
  ): void {
    if (status === 'disconnected') {
      this._onLoss(
        'kernel-died',
        this._trans.__(
          'The connection to the kernel was lost while the code ran. Check that its server is still up, then run the code again.'
        )
      );
    }
  }

  private _onKernelDisposed(): void {
    this._onLoss(
      'kernel-died',
      this._trans.__(
        'The kernel connection was closed while the code ran (the kernel was shut down or its session closed).'
      )
    );
  }

  private _trans: TranslationBundle;
  private _onLoss: (loss: KernelLoss, message: string) => void;
  private _isDisposed = false;
}
