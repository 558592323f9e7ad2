import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { ILiveStatus } from '../tokens';
import '../../style/live.css';

/**
 * What the user chose in "Share Live Status…".
 *
 * - `share`: share through `channelId` (every run if `every`)
 * - `stop`: stop the notebook's shares
 * - `panel`: no channel can share yet: open the Notifications panel
 */
export type ShareLiveAnswer =
  | { kind: 'share'; channelId: string; every: boolean }
  | { kind: 'stop' }
  | { kind: 'panel' };

/**
 * Ask where to share a notebook's run live. Resolves to the choice, or
 * `null` if cancelled.
 */
export async function askShareLive(options: {
  notebookName: string;
  channels: ILiveStatus.IChannelChoice[];
  /** The notebook's current shares (live, ended or waiting). */
  shares: ILiveStatus.IShare[];
  /** Whether a run of the notebook is going now. */
  running: boolean;
  trans: TranslationBundle;
}): Promise<ShareLiveAnswer | null> {
  const { trans, channels, shares } = options;
  if (channels.length === 0) {
    const answer = await showDialog({
      title: trans.__('Share Live Status'),
      body: trans.__(
        'A run is shared live through a Matrix room or an ntfy topic: add one under Channels in the Notifications panel (and log in to Matrix under Account for a room).'
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Open the Panel') })
      ]
    });
    return answer.button.accept ? { kind: 'panel' } : null;
  }
  const body = new ShareLiveChoice(options);
  const active = shares.filter(share => share.state !== 'ended');
  const answer = await showDialog({
    title: trans.__('Share Live Status of %1', options.notebookName),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      ...(active.length
        ? [
            Dialog.warnButton({
              label: trans.__('Stop Sharing'),
              actions: ['stop']
            })
          ]
        : []),
      Dialog.okButton({ label: trans.__('Share') })
    ],
    focusNodeSelector: 'input:checked'
  });
  if (answer.button.actions.includes('stop')) {
    return { kind: 'stop' };
  }
  if (!answer.button.accept || !body.channelId) {
    return null;
  }
  return { kind: 'share', channelId: body.channelId, every: body.every };
}

/**
 * The dialog's body: where the notebook is shared now, a choice of
 * channel, "every run", and what the phone can do.
 */
class ShareLiveChoice extends ReactWidget {
  constructor(
    private _options: {
      channels: ILiveStatus.IChannelChoice[];
      shares: ILiveStatus.IShare[];
      running: boolean;
      trans: TranslationBundle;
    }
  ) {
    super();
    this.addClass('jp-lmk-ShareLive');
    const current = _options.shares.find(share => share.state !== 'ended');
    this.channelId = current?.channelId ?? _options.channels[0].id;
    this.every = _options.shares.some(share => share.every);
  }

  channelId: string;
  every: boolean;

  protected render(): React.ReactElement {
    const { channels, shares, running, trans } = this._options;
    const chosen = channels.find(c => c.id === this.channelId);
    return (
      <div className="jp-lmk-ShareLive-body">
        {shares.map(share => (
          <p key={share.id} className="jp-lmk-ShareLive-current">
            {Private.stateText(share, trans)}
          </p>
        ))}
        <fieldset className="jp-lmk-ShareLive-channels">
          <legend>{trans.__('Post the status to')}</legend>
          {channels.map(channel => (
            <label key={channel.id} className="jp-lmk-ShareLive-channel">
              <input
                type="radio"
                name="jp-lmk-ShareLive-channel"
                value={channel.id}
                checked={this.channelId === channel.id}
                onChange={() => {
                  this.channelId = channel.id;
                  this.update();
                }}
              />
              <span>{channel.label}</span>
              <span className="jp-lmk-ShareLive-kind">
                {channel.kind === 'matrix'
                  ? trans.__('Matrix room')
                  : trans.__('ntfy topic')}
                {!channel.enabled && ` · ${trans.__('off for notifications')}`}
              </span>
            </label>
          ))}
        </fieldset>
        <label className="jp-lmk-ShareLive-every">
          <input
            type="checkbox"
            checked={this.every}
            onChange={event => {
              this.every = event.target.checked;
              this.update();
            }}
          />
          {trans.__(
            'Every run of this notebook (saved in the notebook; runs shorter than 10 s post nothing)'
          )}
        </label>
        <p className="jp-lmk-ShareLive-note">
          {running
            ? trans.__(
                'The run going on now is shared at once; its status is edited as it goes (at most every 10 s) and says how it ended.'
              )
            : trans.__(
                'No run is going: the next run of this notebook is shared when it starts.'
              )}
        </p>
        <p className="jp-lmk-ShareLive-note">
          {chosen?.kind === 'ntfy'
            ? trans.__(
                'On the phone: the Interrupt and Mute buttons of the notification. Anyone who can read this ntfy topic can tap them: use a topic only you read.'
              )
            : trans.__(
                'On the phone: react with 🛑 or reply "stop" to stop the run, 🔕 or "mute" for no notification when it ends. Only your own Matrix account is obeyed.'
              )}
        </p>
      </div>
    );
  }
}

namespace Private {
  export function stateText(
    share: ILiveStatus.IShare,
    trans: TranslationBundle
  ): string {
    switch (share.state) {
      case 'waiting':
        return share.every
          ? trans.__('Every run is shared live to %1.', share.where)
          : trans.__('The next run is shared live to %1.', share.where);
      case 'ended':
        return trans.__(
          'The last run was shared live to %1; it has ended.',
          share.where
        );
      default:
        return trans.__('This run is shared live to %1.', share.where);
    }
  }
}
