import type { ISessionContext } from '@jupyterlab/apputils';
import type { CodeCell } from '@jupyterlab/cells';
import type { Notebook } from '@jupyterlab/notebook';
import type { KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import {
  type INotifyPayload,
  NOTIFY_MIME_TYPE,
  readNotifyPayload
} from './payload';

/**
 * A notification request that kernel code just displayed.
 */
export interface IKernelNotifyRequest {
  payload: INotifyPayload;
  /** Id of the kernel message that carried it: unique per output. */
  messageId: string;
  /** The cell whose execution displayed it, if it is still there. */
  cellId: string | null;
}

/**
 * Watches one notebook's kernel for notification requests displayed by code
 * running now. Only live kernel messages count: an output loaded with a
 * saved notebook, or rendered again, never sends anything.
 */
export class KernelNotifyWatcher implements IDisposable {
  constructor(options: KernelNotifyWatcher.IOptions) {
    this._notebook = options.notebook;
    this._sessionContext = options.sessionContext;
    this._onRequest = options.onRequest;
    this._sessionContext.iopubMessage.connect(this._onIOPub, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._sessionContext.iopubMessage.disconnect(this._onIOPub, this);
  }

  private _onIOPub(_: ISessionContext, msg: KernelMessage.IMessage): void {
    // Two string comparisons per message: this runs for every output.
    const type = msg.header.msg_type;
    if (type !== 'display_data' && type !== 'execute_result') {
      return;
    }
    const data = (msg as KernelMessage.IDisplayDataMsg).content.data;
    if (!data || !(NOTIFY_MIME_TYPE in data)) {
      return;
    }
    const payload = readNotifyPayload(data[NOTIFY_MIME_TYPE]);
    if (!payload) {
      return;
    }
    this._onRequest({
      payload,
      messageId: msg.header.msg_id,
      cellId: this._findCell(
        (msg.parent_header as KernelMessage.IHeader | undefined)?.msg_id
      )
    });
  }

  /** The cell whose current execution request is `requestId`. */
  private _findCell(requestId: string | undefined): string | null {
    if (!requestId) {
      return null;
    }
    const cell = this._notebook.widgets.find(
      widget =>
        widget.model.type === 'code' &&
        (widget as CodeCell).outputArea.future?.msg.header.msg_id === requestId
    );
    return cell ? cell.model.id : null;
  }

  private _notebook: Notebook;
  private _sessionContext: ISessionContext;
  private _onRequest: (request: IKernelNotifyRequest) => void;
  private _isDisposed = false;
}

/**
 * The namespace for `KernelNotifyWatcher` statics.
 */
export namespace KernelNotifyWatcher {
  /**
   * Options to create a watcher.
   */
  export interface IOptions {
    notebook: Notebook;
    sessionContext: ISessionContext;
    onRequest: (request: IKernelNotifyRequest) => void;
  }
}
