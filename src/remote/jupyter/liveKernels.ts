import type { Kernel, Session } from '@jupyterlab/services';
import { Poll } from '@lumino/polling';
import type { IDisposable } from '@lumino/disposable';

/**
 * One row of a server's list: a session with its kernel, or a kernel
 * without a session.
 */
export interface IKernelRow {
  session: Session.IModel | null;
  /** The kernel as the server's kernel list has it now. */
  kernel: Kernel.IModel;
}

/**
 * The rows of a server's list, sessions first, each with its kernel's own
 * model (state, connections, last activity). A session's copy of its
 * kernel is the one from when the session list last changed — the lab's
 * session manager only signals when ids or names change — so it would
 * show "starting · 0 connections" for good.
 */
export function kernelRows(
  sessions: Iterable<Session.IModel>,
  kernels: Iterable<Kernel.IModel>
): IKernelRow[] {
  const byId = new Map<string, Kernel.IModel>();
  for (const kernel of kernels) {
    byId.set(kernel.id, kernel);
  }
  const rows: IKernelRow[] = [];
  const listed = new Set<string>();
  for (const session of sessions) {
    if (!session.kernel) {
      continue;
    }
    const kernel = byId.get(session.kernel.id) ?? session.kernel;
    listed.add(kernel.id);
    rows.push({ session, kernel });
  }
  for (const kernel of byId.values()) {
    if (!listed.has(kernel.id)) {
      rows.push({ session: null, kernel });
    }
  }
  return rows;
}

/** How often a shown server list asks for its kernels' state. */
export const LIVE_INTERVAL_MS = 3000;

/**
 * Asks a server for its kernels (state, connections, last activity) every
 * few seconds while its list can be seen; the kernel manager then signals
 * what changed. Stands by while the list is hidden, folded or the tab is
 * in the background; backs off while the server does not answer.
 */
export class LiveKernels implements IDisposable {
  constructor(options: LiveKernels.IOptions) {
    this._poll = new Poll({
      auto: true,
      factory: () => options.kernels.refreshRunning(),
      frequency: {
        interval: options.interval ?? LIVE_INTERVAL_MS,
        backoff: true,
        max: 60_000
      },
      name: 'jupyterlab-lmk:LiveKernels',
      standby: () => !options.isVisible() || 'when-hidden'
    });
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  dispose(): void {
    this._poll.dispose();
  }

  private _poll: Poll;
}

/**
 * The namespace for `LiveKernels` statics.
 */
export namespace LiveKernels {
  export interface IOptions {
    kernels: Kernel.IManager;
    /** Whether the list can be seen now. */
    isVisible: () => boolean;
    /** Milliseconds between two asks (default `LIVE_INTERVAL_MS`). */
    interval?: number;
  }
}
