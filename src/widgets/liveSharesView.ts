import type { TranslationBundle } from '@jupyterlab/translation';
import { h, type VirtualElement } from '@lumino/virtualdom';
import type { ILiveStatus } from '../tokens';
import '../../style/live.css';
import { SignalView } from './signalView';

/**
 * The "Shared Live" section of the Notifications panel: each run shared
 * live to the phone (and each notebook waiting for its next run, or
 * sharing every run), where its status goes, and a "Stop sharing" button.
 */
export class LiveSharesView extends SignalView {
  constructor(options: LiveSharesView.IOptions) {
    super(options.live.changed, options.trans.__('Shared live'));
    this._options = options;
    this.addClass('jp-lmk-LiveShares');
  }

  protected render(): VirtualElement {
    const { live, trans } = this._options;
    const shares = live.shares;
    if (shares.length === 0) {
      return h.p(
        { className: 'jp-lmk-LiveShares-empty' },
        trans.__(
          'No run is shared live. To follow a run from your phone and stop it from there, use Share Live Status… in the notebook’s bell menu.'
        )
      );
    }
    return h.ul(
      { className: 'jp-lmk-LiveShares-list' },
      shares.map(share => this._renderShare(share))
    );
  }

  private _renderShare(share: ILiveStatus.IShare): VirtualElement {
    const { trans, stop, open } = this._options;
    const name = share.path.split('/').pop() ?? share.path;
    return h.li(
      {
        key: share.id,
        className: `jp-lmk-LiveShare jp-lmk-mod-${share.state}`,
        dataset: { id: share.id, path: share.path }
      },
      h.div(
        { className: 'jp-lmk-LiveShare-header' },
        h.button(
          {
            className: 'jp-lmk-LiveShare-name',
            type: 'button',
            title: trans.__('Open %1', share.path),
            onclick: () => void open(share.path)
          },
          name
        ),
        h.span(
          { className: 'jp-lmk-LiveShare-state' },
          Private.stateLabel(share, trans)
        )
      ),
      h.div(
        { className: 'jp-lmk-LiveShare-where' },
        share.kind === 'matrix'
          ? trans.__('Matrix room %1', share.where)
          : trans.__('ntfy %1', share.where),
        share.every && share.state !== 'waiting'
          ? ` · ${trans.__('every run')}`
          : '',
        share.muted ? ` · ${trans.__('muted from the phone')}` : ''
      ),
      share.problem
        ? h.div(
            { className: 'jp-lmk-LiveShare-problem', role: 'alert' },
            share.problem
          )
        : null,
      share.state === 'ended'
        ? null
        : h.div(
            { className: 'jp-lmk-LiveShare-actions' },
            h.button(
              {
                className: 'jp-Button jp-mod-minimal jp-lmk-LiveShare-stop',
                type: 'button',
                onclick: () => void stop(share)
              },
              trans.__('Stop sharing')
            )
          )
    );
  }

  private _options: LiveSharesView.IOptions;
}

/**
 * The namespace for `LiveSharesView` statics.
 */
export namespace LiveSharesView {
  export interface IOptions {
    live: ILiveStatus;
    trans: TranslationBundle;
    /** Stop a share. */
    stop: (share: ILiveStatus.IShare) => Promise<void>;
    /** Open a notebook. */
    open: (path: string) => Promise<void>;
  }
}

namespace Private {
  export function stateLabel(
    share: ILiveStatus.IShare,
    trans: TranslationBundle
  ): string {
    switch (share.state) {
      case 'waiting':
        return share.every ? trans.__('every run') : trans.__('next run');
      case 'starting':
        return trans.__('posting…');
      case 'live':
        return trans.__('live');
      default:
        return trans.__('ended');
    }
  }
}
