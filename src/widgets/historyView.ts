import type { TranslationBundle } from '@jupyterlab/translation';
import { h, type VirtualElement } from '@lumino/virtualdom';
import type {
  IHistoryEntry,
  NotificationHistory
} from '../history/notificationHistory';
import { deliveryStatus } from '../messages/deliveryStatus';
import type { IDeliveryResult } from '../tokens';
import { SignalView } from './signalView';

/**
 * The History section of the sidebar: the last notifications, newest
 * first. Each shows its title, time, outcome line and error, what each
 * channel did in a word ("lab: sent · desktop: waiting"), and "Details"
 * (the whole message and each channel's reason), "Go to cell", "Resend".
 * Opening the details or going to the cell counts as having seen it.
 */
export class HistoryView extends SignalView {
  constructor(options: HistoryView.IOptions) {
    super(options.history.changed, options.trans.__('History'));
    this._options = options;
    this.addClass('jp-lmk-History');
  }

  protected render(): VirtualElement {
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
    const { trans, goTo, resend, seen } = this._options;
    const { event } = entry;
    const time = new Date(entry.time);
    const [outcome, ...rest] = event.text.split('\n');
    const error = event.error
      ? `${event.error.ename}: ${event.error.evalue}`
      : '';
    const kind = event.event.replace(/[._]/g, '-');
    const open = this._open.has(entry.id);
    const detailsId = `jp-lmk-HistoryEntry-details-${Private.domId(entry.id)}`;
    const toggle = () => {
      if (this._open.has(entry.id)) {
        this._open.delete(entry.id);
      } else {
        this._open.add(entry.id);
        seen(entry);
      }
      this.update();
    };
    return h.li(
      {
        key: entry.id,
        className: `jp-lmk-HistoryEntry jp-lmk-mod-${kind}`,
        dataset: { id: entry.id }
      },
      h.div(
        { className: 'jp-lmk-HistoryEntry-header' },
        h.span({ className: 'jp-lmk-HistoryEntry-title' }, event.title),
        h.time(
          {
            className: 'jp-lmk-HistoryEntry-time',
            datetime: entry.time,
            title: time.toLocaleString()
          },
          Private.shortTime(time)
        )
      ),
      h.div({ className: 'jp-lmk-HistoryEntry-text' }, outcome ?? ''),
      error && !(outcome ?? '').includes(error)
        ? h.div({ className: 'jp-lmk-HistoryEntry-error' }, error)
        : null,
      h.ul(
        {
          className: 'jp-lmk-HistoryEntry-channels',
          'aria-label': trans.__('Delivery')
        },
        entry.results.length
          ? entry.results.map(result => Private.renderResult(result, trans))
          : [h.li({}, trans.__('Sent to no channel.'))]
      ),
      open
        ? h.div(
            { className: 'jp-lmk-HistoryEntry-details', id: detailsId },
            rest.length
              ? h.pre(
                  { className: 'jp-lmk-HistoryEntry-body' },
                  rest.join('\n')
                )
              : null,
            h.ul(
              { className: 'jp-lmk-HistoryEntry-reasons' },
              entry.results.map(result =>
                h.li(
                  {
                    className: `jp-lmk-DeliveryReason jp-lmk-mod-${result.status}`
                  },
                  `${result.channelId}: ${deliveryStatus(result, trans)}` +
                    (result.detail ? ` — ${result.detail}` : '')
                )
              )
            )
          )
        : null,
      h.div(
        { className: 'jp-lmk-HistoryEntry-actions' },
        h.button(
          {
            className: 'jp-Button jp-mod-minimal jp-mod-small',
            type: 'button',
            'aria-expanded': String(open),
            'aria-controls': detailsId,
            'aria-label': open
              ? trans.__('Hide the details of %1', event.title)
              : trans.__('Details of %1', event.title),
            onclick: toggle
          },
          open ? trans.__('Hide details') : trans.__('Details')
        ),
        entry.target
          ? h.button(
              {
                className:
                  'jp-Button jp-mod-minimal jp-mod-small jp-lmk-HistoryEntry-goTo',
                type: 'button',
                'aria-label': entry.target.cellId
                  ? trans.__('Go to the cell of %1', event.title)
                  : trans.__('Open the notebook of %1', event.title),
                onclick: () => {
                  seen(entry);
                  void goTo(entry);
                }
              },
              entry.target.cellId
                ? trans.__('Go to cell')
                : trans.__('Open notebook')
            )
          : null,
        h.button(
          {
            className:
              'jp-Button jp-mod-minimal jp-mod-small jp-lmk-HistoryEntry-resend',
            type: 'button',
            'aria-label': trans.__('Resend %1', event.title),
            onclick: () => void resend(entry)
          },
          trans.__('Resend')
        )
      )
    );
  }

  private _options: HistoryView.IOptions;
  /** The entries whose details are shown. */
  private _open = new Set<string>();
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
    /** The user looked at an entry (its details, its cell). */
    seen: (entry: IHistoryEntry) => void;
  }
}

namespace Private {
  /** One channel's outcome in a word; the reason is in the details. */
  export function renderResult(
    result: IDeliveryResult,
    trans: TranslationBundle
  ): VirtualElement {
    return h.li(
      { className: `jp-lmk-Delivery jp-lmk-mod-${result.status}` },
      `${result.channelId}: ${deliveryStatus(result, trans)}`
    );
  }

  /** A notification id as an id attribute (ids may hold any character). */
  export function domId(id: string): string {
    let hash = 0;
    for (let i = 0; i < id.length; i++) {
      hash = (hash * 31 + id.charCodeAt(i)) | 0;
    }
    return (hash >>> 0).toString(36);
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
