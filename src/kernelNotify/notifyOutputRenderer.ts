import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { KernelNotifyLog, KernelNotifyStatus } from './deliveryLog';
import { NOTIFY_MIME_TYPE, readNotifyPayload } from './payload';

/**
 * The output of a notification request: one quiet line saying where the
 * notification went. It never sends anything itself, so re-rendering a saved
 * notebook cannot send a notification twice.
 */
export class NotifyOutputRenderer
  extends Widget
  implements IRenderMime.IRenderer
{
  constructor(log: KernelNotifyLog, trans: TranslationBundle) {
    super();
    this._log = log;
    this._trans = trans;
    this.addClass('jp-lmk-NotifyOutput');
    this._log.changed.connect(this._onChanged, this);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = readNotifyPayload(model.data[NOTIFY_MIME_TYPE]);
    this._id = payload?.id ?? null;
    this._title = payload?.title ?? null;
    this._update();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._log.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  private _onChanged(_: KernelNotifyLog, id: string): void {
    if (id === this._id) {
      this._update();
    }
  }

  private _update(): void {
    const trans = this._trans;
    const status: KernelNotifyStatus | undefined = this._id
      ? this._log.get(this._id)
      : undefined;
    const subject = this._title
      ? trans.__('Notification "%1"', this._title)
      : trans.__('Notification');
    let text: string;
    if (status === undefined) {
      text = trans.__('%1 (sent when this output was produced)', subject);
    } else if (status === 'sending') {
      text = trans.__('%1: sending…', subject);
    } else {
      const sent = status
        .filter(r => r.status === 'sent')
        .map(r => r.channelId);
      const failed = status
        .filter(r => r.status === 'failed')
        .map(r => (r.detail ? `${r.channelId} (${r.detail})` : r.channelId));
      const parts: string[] = [];
      if (sent.length) {
        parts.push(trans.__('sent to %1', sent.join(', ')));
      }
      if (failed.length) {
        parts.push(trans.__('failed for %1', failed.join(', ')));
      }
      if (!parts.length) {
        parts.push(trans.__('no channel delivered it'));
      }
      text = `${subject}: ${parts.join('; ')}`;
    }
    this.node.textContent = text;
    this.node.dataset.lmkStatus =
      status === undefined
        ? 'saved'
        : status === 'sending'
          ? 'sending'
          : 'done';
  }

  private _log: KernelNotifyLog;
  private _trans: TranslationBundle;
  private _id: string | null = null;
  private _title: string | null = null;
}
