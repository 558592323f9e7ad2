import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IChannelDescription } from '../delivery/channels/channelDescription';
import type { NotificationHistory } from '../history/notificationHistory';
import { deliveryStatus } from '../messages/deliveryStatus';
import type { IChannelConfig, IDeliveryResult } from '../tokens';
import { type IAccountProps, Logins } from './accountPanel';
import { openChannelDialog } from './channelDialog';

/**
 * The Channels section of the sidebar: every channel on a few lines (on or
 * off, name and type, what it sends to and what its last delivery did,
 * Test, Edit, Remove, default or not), "Add a channel…" (a dialog), and
 * the logins made for channels, with Log out.
 */
export class ChannelsPanel extends ReactWidget {
  constructor(private _options: ChannelsPanel.IOptions) {
    super();
    this.addClass('jp-lmk-Channels');
  }

  /** Open the dialog that adds a channel. */
  add(): Promise<void> {
    return openChannelDialog(this._options);
  }

  protected render(): React.ReactElement {
    const { store, history } = this._options;
    return (
      <UseSignal signal={store.changed}>
        {() => (
          <UseSignal signal={history.changed}>
            {() => <ChannelsView {...this._options} />}
          </UseSignal>
        )}
      </UseSignal>
    );
  }
}

/**
 * The namespace for `ChannelsPanel` statics.
 */
export namespace ChannelsPanel {
  /**
   * Options of the Channels section.
   */
  export interface IOptions extends IAccountProps {
    /** Where the last delivery of each channel is read. */
    history: NotificationHistory;
    descriptions: readonly IChannelDescription[];
    /** Send a test notification through one channel; null: no Test. */
    test: ((channelId: string) => Promise<IDeliveryResult>) | null;
    /** Confirm before removing a channel. */
    confirmRemove: (config: IChannelConfig) => Promise<boolean>;
  }
}

function ChannelsView(props: ChannelsPanel.IOptions): React.ReactElement {
  const { store, history, descriptions, trans } = props;
  const channels = store.settings.channels;
  const [tests, setTests] = React.useState<{ [id: string]: IDeliveryResult }>(
    {}
  );
  const [testing, setTesting] = React.useState<string | null>(null);
  const [saveError, setSaveError] = React.useState<string | null>(null);
  const describe = (type: string) =>
    descriptions.find(description => description.type === type);
  const last = Private.lastResults(history);
  const update = async (config: IChannelConfig) => {
    setSaveError(null);
    try {
      await store.saveChannel(config);
    } catch (reason) {
      setSaveError(
        trans.__(
          'The change could not be saved: %1',
          reason instanceof Error ? reason.message : String(reason)
        )
      );
    }
  };

  return (
    <div className="jp-lmk-ChannelsView">
      {saveError && (
        <p className="jp-lmk-Field-error" role="alert">
          {saveError}
        </p>
      )}
      {channels.length === 0 && (
        <p className="jp-lmk-Sidebar-note">
          {trans.__('No channel: notifications go nowhere.')}
        </p>
      )}
      <ul className="jp-lmk-ChannelList" aria-label={trans.__('Channels')}>
        {channels.map(config => {
          const description = describe(config.type);
          const result = tests[config.id] ?? last.get(config.id);
          const label = description?.label(trans) ?? config.type;
          const title =
            typeof config.name === 'string' && config.name
              ? config.name
              : config.id;
          const summary = description?.summary(config) ?? '';
          const status =
            testing === config.id
              ? trans.__('Sending a test…')
              : Private.statusText(result, trans);
          return (
            <li
              key={config.id}
              className={`jp-lmk-Channel${config.enabled ? '' : ' jp-lmk-mod-disabled'}`}
              data-channel-id={config.id}
            >
              <div className="jp-lmk-Channel-head">
                <input
                  type="checkbox"
                  className="jp-lmk-Channel-on"
                  checked={config.enabled}
                  aria-label={trans.__('Send notifications to %1', title)}
                  title={trans.__('On: notifications go to this channel')}
                  onChange={event =>
                    void update({ ...config, enabled: event.target.checked })
                  }
                />
                <span className="jp-lmk-Channel-name">{title}</span>
                <span className="jp-lmk-Channel-type">{label}</span>
              </div>
              {summary && (
                <div className="jp-lmk-Channel-summary">{summary}</div>
              )}
              {!description && (
                <div className="jp-lmk-Field-error">
                  {trans.__('Unknown channel type "%1".', config.type)}
                </div>
              )}
              <div
                className={`jp-lmk-Channel-status jp-lmk-mod-${result?.status ?? 'none'}`}
                aria-live="polite"
                title={status}
              >
                {status}
              </div>
              <div className="jp-lmk-Channel-actions">
                <label
                  className="jp-lmk-Channel-default"
                  title={trans.__(
                    'Used for notebooks that did not choose their own channels'
                  )}
                >
                  <input
                    type="checkbox"
                    checked={config.default !== false}
                    disabled={!config.enabled}
                    aria-label={trans.__(
                      '%1 is a default channel (for notebooks that did not choose their own)',
                      title
                    )}
                    onChange={event =>
                      void update({ ...config, default: event.target.checked })
                    }
                  />
                  {trans.__('Default')}
                </label>
                <span className="jp-lmk-Channel-buttons">
                  {props.test && (
                    <button
                      type="button"
                      className="jp-Button jp-mod-minimal jp-mod-small"
                      disabled={testing !== null}
                      aria-label={trans.__('Test %1', title)}
                      onClick={async () => {
                        setTesting(config.id);
                        try {
                          const outcome = await props.test!(config.id);
                          setTests({ ...tests, [config.id]: outcome });
                        } finally {
                          setTesting(null);
                        }
                      }}
                    >
                      {trans.__('Test')}
                    </button>
                  )}
                  {description && (
                    <button
                      type="button"
                      className="jp-Button jp-mod-minimal jp-mod-small"
                      aria-label={trans.__('Edit %1', title)}
                      onClick={() =>
                        void openChannelDialog({ ...props, existing: config })
                      }
                    >
                      {trans.__('Edit')}
                    </button>
                  )}
                  <button
                    type="button"
                    className="jp-Button jp-mod-minimal jp-mod-small"
                    aria-label={trans.__('Remove %1', title)}
                    onClick={async () => {
                      if (await props.confirmRemove(config)) {
                        await store.removeChannel(config.id);
                      }
                    }}
                  >
                    {trans.__('Remove')}
                  </button>
                </span>
              </div>
            </li>
          );
        })}
      </ul>
      <div className="jp-lmk-AddChannel">
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept"
          onClick={() => void openChannelDialog(props)}
        >
          {trans.__('Add a channel…')}
        </button>
      </div>
      <Logins {...props} />
    </div>
  );
}

namespace Private {
  /**
   * The last delivery result of each channel, from the history (newest
   * entry first).
   */
  export function lastResults(
    history: NotificationHistory
  ): Map<string, IDeliveryResult> {
    const last = new Map<string, IDeliveryResult>();
    for (const entry of history.entries) {
      for (const result of entry.results) {
        if (!last.has(result.channelId)) {
          last.set(result.channelId, result);
        }
      }
    }
    return last;
  }

  export function statusText(
    result: IDeliveryResult | undefined,
    trans: TranslationBundle
  ): string {
    if (!result) {
      return trans.__('Nothing sent yet.');
    }
    const last = trans.__('Last: %1.', deliveryStatus(result, trans));
    return result.detail ? `${last} ${result.detail}` : last;
  }
}
