import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { IChannelDescription } from '../delivery/channels/channelDescription';
import type { NotificationHistory } from '../history/notificationHistory';
import type { SettingsStore } from '../settings/settingsStore';
import type { IChannelConfig, IDeliveryResult } from '../tokens';
import { ChannelForm } from './channelForm';

/**
 * The Channels section of the sidebar: every channel with its type, name,
 * what its last delivery did, and buttons to test, edit, switch on or off,
 * make it a default, or remove it; a form to add one.
 */
export class ChannelsPanel extends ReactWidget {
  constructor(private _options: ChannelsPanel.IOptions) {
    super();
    this.addClass('jp-lmk-Channels');
  }

  /** Open the form for a new channel of a type. */
  add(type: string): void {
    this._editing = { type };
    this.update();
  }

  protected render(): React.ReactElement {
    const { store, history } = this._options;
    return (
      <UseSignal signal={store.changed}>
        {() => (
          <UseSignal signal={history.changed}>
            {() => (
              <ChannelsView
                {...this._options}
                editing={this._editing}
                setEditing={editing => {
                  this._editing = editing;
                  this.update();
                }}
              />
            )}
          </UseSignal>
        )}
      </UseSignal>
    );
  }

  private _editing: IEditing | null = null;
}

/**
 * The namespace for `ChannelsPanel` statics.
 */
export namespace ChannelsPanel {
  /**
   * Options of the Channels section.
   */
  export interface IOptions {
    store: SettingsStore;
    history: NotificationHistory;
    descriptions: readonly IChannelDescription[];
    trans: TranslationBundle;
    /** Send a test notification through one channel. */
    test: (channelId: string) => Promise<IDeliveryResult>;
    /** Confirm before removing a channel. */
    confirmRemove: (config: IChannelConfig) => Promise<boolean>;
  }
}

/**
 * The channel being added (`type` only) or edited (`id`).
 */
interface IEditing {
  type: string;
  id?: string;
}

function ChannelsView(
  props: ChannelsPanel.IOptions & {
    editing: IEditing | null;
    setEditing: (editing: IEditing | null) => void;
  }
): React.ReactElement {
  const { store, history, descriptions, trans, editing } = props;
  const channels = store.settings.channels;
  const [tests, setTests] = React.useState<{ [id: string]: IDeliveryResult }>(
    {}
  );
  const [testing, setTesting] = React.useState<string | null>(null);
  const [saveError, setSaveError] = React.useState<string | null>(null);
  const describe = (type: string) =>
    descriptions.find(description => description.type === type);

  if (editing) {
    const description = describe(editing.type);
    const existing = editing.id
      ? channels.find(c => c.id === editing.id)
      : undefined;
    if (description) {
      return (
        <ChannelForm
          description={description}
          existing={existing}
          newId={store.newChannelId(editing.type)}
          trans={trans}
          onCancel={() => props.setEditing(null)}
          onSave={async config => {
            await store.saveChannel(config);
            props.setEditing(null);
          }}
        />
      );
    }
  }

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
      <ul className="jp-lmk-ChannelList" aria-label={trans.__('Channels')}>
        {channels.map(config => {
          const description = describe(config.type);
          const result = tests[config.id] ?? last.get(config.id);
          const label = description?.label(trans) ?? config.type;
          const title =
            typeof config.name === 'string' && config.name
              ? config.name
              : config.id;
          return (
            <li
              key={config.id}
              className={`jp-lmk-Channel${config.enabled ? '' : ' jp-lmk-mod-disabled'}`}
              data-channel-id={config.id}
            >
              <div className="jp-lmk-Channel-head">
                <span className="jp-lmk-Channel-name">{title}</span>
                <span className="jp-lmk-Channel-type">{label}</span>
              </div>
              {description && (
                <div className="jp-lmk-Channel-summary">
                  {description.summary(config)}
                </div>
              )}
              {!description && (
                <div className="jp-lmk-Field-error">
                  {trans.__('Unknown channel type "%1".', config.type)}
                </div>
              )}
              <div
                className={`jp-lmk-Channel-status jp-lmk-mod-${result?.status ?? 'none'}`}
                aria-live="polite"
              >
                {testing === config.id
                  ? trans.__('Sending a test…')
                  : Private.statusText(result, trans)}
              </div>
              <div className="jp-lmk-Channel-switches">
                <label>
                  <input
                    type="checkbox"
                    checked={config.enabled}
                    onChange={event =>
                      void update({ ...config, enabled: event.target.checked })
                    }
                  />
                  {trans.__('On')}
                </label>
                <label
                  title={trans.__(
                    'Used for notebooks that did not choose their own channels'
                  )}
                >
                  <input
                    type="checkbox"
                    checked={config.default !== false}
                    disabled={!config.enabled}
                    onChange={event =>
                      void update({ ...config, default: event.target.checked })
                    }
                  />
                  {trans.__('Default')}
                </label>
              </div>
              <div className="jp-lmk-Channel-actions">
                <button
                  type="button"
                  className="jp-mod-styled jp-mod-reject"
                  disabled={testing !== null}
                  aria-label={trans.__('Test %1', title)}
                  onClick={async () => {
                    setTesting(config.id);
                    try {
                      const outcome = await props.test(config.id);
                      setTests({ ...tests, [config.id]: outcome });
                    } finally {
                      setTesting(null);
                    }
                  }}
                >
                  {trans.__('Test')}
                </button>
                {description && (
                  <button
                    type="button"
                    className="jp-mod-styled jp-mod-reject"
                    aria-label={trans.__('Edit %1', title)}
                    onClick={() =>
                      props.setEditing({ type: config.type, id: config.id })
                    }
                  >
                    {trans.__('Edit')}
                  </button>
                )}
                <button
                  type="button"
                  className="jp-mod-styled jp-mod-reject"
                  aria-label={trans.__('Remove %1', title)}
                  onClick={async () => {
                    if (await props.confirmRemove(config)) {
                      await store.removeChannel(config.id);
                    }
                  }}
                >
                  {trans.__('Remove')}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
      <Private.AddChannel
        descriptions={descriptions}
        trans={trans}
        onAdd={type => props.setEditing({ type })}
      />
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
    const detail = result.detail ? ` ${result.detail}` : '';
    switch (result.status) {
      case 'sent':
        return result.confirmed === false
          ? trans.__('Last: sent (not confirmed).') + detail
          : trans.__('Last: delivered.') + detail;
      case 'pending':
        return trans.__('Last: retrying.') + detail;
      case 'skipped':
        return trans.__('Last: skipped.') + detail;
      default:
        return trans.__('Last: failed.') + detail;
    }
  }

  export function AddChannel(props: {
    descriptions: readonly IChannelDescription[];
    trans: TranslationBundle;
    onAdd: (type: string) => void;
  }): React.ReactElement {
    const { descriptions, trans } = props;
    const [type, setType] = React.useState(descriptions[0]?.type ?? '');
    const id = React.useId();
    return (
      <div className="jp-lmk-AddChannel">
        <label htmlFor={id}>{trans.__('Add a channel:')}</label>
        <select
          id={id}
          className="jp-mod-styled"
          value={type}
          onChange={event => setType(event.target.value)}
        >
          {descriptions.map(description => (
            <option key={description.type} value={description.type}>
              {description.label(trans)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="jp-mod-styled jp-mod-accept"
          disabled={!type}
          onClick={() => props.onAdd(type)}
        >
          {trans.__('Add…')}
        </button>
      </div>
    );
  }
}
