import type { TranslationBundle } from '@jupyterlab/translation';
import { h, type VirtualElement, VirtualDOM } from '@lumino/virtualdom';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import type {
  IHistoryEntry,
  NotificationHistory
} from '../history/notificationHistory';
import type { IDeliveryResult } from '../tokens';

/**
 * The History section of the sidebar: the last notifications, newest
 * first, with what each channel did, "Go to cell" and "Resend".
 */
export class HistoryView extends Widget {
  constructor(options: HistoryView.IOptions) {
    super();
    this._options = options;
    this.addClass('jp-lmk-History');
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', options.trans.__('History'));
    options.history.changed.connect(this._onChanged, this);
  }

  dispose(): void {
    this._options.history.changed.disconnect(this._onChanged, this);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    this.update();
  }

  protected onBeforeShow(msg: Message): void {
    this.update();
  }

  protected onUpdateRequest(msg: Message): void {
    if (!this.isVisible) {
      return;
    }
    VirtualDOM.render(this._render(), this.node);
  }

  private _onChanged(): void {
    this.update();
  }

  private _render(): VirtualElement {
    const { history, trans } = this._options;
    const entries = history.entries;
    if (entries.length === 0) {
      return h.p(
        { className: 'jp-lmk-History-empty' },
        trans.__(
          'No notification yet. Runs that notify you are listed here, with what each channel did.'
        )
      );
    }
    return h.ol(
      { className: 'jp-lmk-History-list' },
      entries.map(entry => this._renderEntry(entry))
    );
  }

  private _renderEntry(entry: IHistoryEntry): VirtualElement {
    const { trans, goTo, resend } = this._options;
    const time = new Date(entry.time);
    const firstLine = entry.event.text.split('\n')[0] ?? '';
    const kind = entry.event.event.replace(/[._]/g, '-');
    return h.li(
      {
        key: entry.id,
        className: `jp-lmk-HistoryEntry jp-lmk-mod-${kind}`,
        dataset: { id: entry.id }
      },
      h.div(
        { className: 'jp-lmk-HistoryEntry-header' },
        h.span({ className: 'jp-lmk-HistoryEntry-title' }, entry.event.title),
        h.time(
          {
            className: 'jp-lmk-HistoryEntry-time',
            datetime: entry.time,
            title: time.toLocaleString()
          },
          Private.shortTime(time)
        )
      ),
      h.div({ className: 'jp-lmk-HistoryEntry-text' }, firstLine),
      h.ul(
        {
          className: 'jp-lmk-HistoryEntry-channels',
          'aria-label': trans.__('Delivery')
        },
        entry.results.length
          ? entry.results.map(result => Private.renderResult(result, trans))
          : [h.li({}, trans.__('No channel was enabled.'))]
      ),
      h.div(
        { className: 'jp-lmk-HistoryEntry-actions' },
        entry.target
          ? h.button(
              {
                className: 'jp-Button jp-mod-minimal jp-lmk-HistoryEntry-goTo',
                type: 'button',
                onclick: () => void goTo(entry)
              },
              entry.target.cellId
                ? trans.__('Go to cell')
                : trans.__('Open notebook')
            )
          : null,
        h.button(
          {
            className: 'jp-Button jp-mod-minimal jp-lmk-HistoryEntry-resend',
            type: 'button',
            onclick: () => void resend(entry)
          },
          trans.__('Resend')
        )
      )
    );
  }

  private _options: HistoryView.IOptions;
}

/**
 * The namespace for `HistoryView` statics.
 */
export namespace HistoryView {
  export interface IOptions {
    history: NotificationHistory;
    trans: TranslationBundle;
    goTo: (entry: IHistoryEntry) => Promise<void>;
    resend: (entry: IHistoryEntry) => Promise<void>;
  }
}

namespace Private {
  export function renderResult(
    result: IDeliveryResult,
    trans: TranslationBundle
  ): VirtualElement {
    const status =
      result.status === 'sent'
        ? result.confirmed === false
          ? trans.__('sent, not confirmed')
          : trans.__('sent')
        : result.status === 'skipped'
          ? trans.__('skipped')
          : result.status === 'pending'
            ? trans.__('retrying')
            : trans.__('failed');
    return h.li(
      { className: `jp-lmk-Delivery jp-lmk-mod-${result.status}` },
      `${result.channelId}: ${status}`,
      result.detail ? ` (${result.detail})` : ''
    );
  }

  /**
   * The time for today's entries, the date and time for older ones.
   */
  export function shortTime(time: Date): string {
    const now = new Date();
    return time.toDateString() === now.toDateString()
      ? time.toLocaleTimeString()
      : time.toLocaleString();
  }
}
