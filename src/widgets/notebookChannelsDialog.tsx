import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { isDefaultChannel } from '../settings/lmkSettings';
import type { IChannelConfig } from '../tokens';

/**
 * Ask which channels a notebook uses. Resolves to the chosen ids, `null`
 * for "the default channels", or `undefined` if cancelled.
 */
export async function chooseChannels(options: {
  channels: readonly IChannelConfig[];
  chosen: string[] | null;
  notebookName: string;
  trans: TranslationBundle;
}): Promise<string[] | null | undefined> {
  const { trans } = options;
  const body = new ChannelChoice(options);
  const answer = await showDialog({
    title: trans.__('Channels for %1', options.notebookName),
    body,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Save') })
    ],
    focusNodeSelector: 'input'
  });
  if (!answer.button.accept) {
    return undefined;
  }
  return body.useDefaults ? null : body.selected;
}

/**
 * The dialog's body: "use the default channels", or a checkbox per channel.
 */
class ChannelChoice extends ReactWidget {
  constructor(
    private _options: {
      channels: readonly IChannelConfig[];
      chosen: string[] | null;
      trans: TranslationBundle;
    }
  ) {
    super();
    this.addClass('jp-lmk-ChannelChoice');
    this.useDefaults = _options.chosen === null;
    this.selected = _options.chosen
      ? [..._options.chosen]
      : _options.channels.filter(isDefaultChannel).map(c => c.id);
  }

  useDefaults: boolean;
  selected: string[];

  protected render(): React.ReactElement {
    const { channels, trans } = this._options;
    return (
      <fieldset className="jp-lmk-ChannelChoice-set">
        <legend>{trans.__('Send this notebook’s notifications to')}</legend>
        <label className="jp-lmk-ChannelChoice-item">
          <input
            type="checkbox"
            checked={this.useDefaults}
            onChange={event => {
              this.useDefaults = event.target.checked;
              this.update();
            }}
          />
          {trans.__('The default channels')}
        </label>
        {channels.map(config => (
          <label key={config.id} className="jp-lmk-ChannelChoice-item">
            <input
              type="checkbox"
              disabled={this.useDefaults || !config.enabled}
              checked={
                this.useDefaults
                  ? isDefaultChannel(config)
                  : this.selected.includes(config.id)
              }
              onChange={event => {
                this.selected = event.target.checked
                  ? [...this.selected, config.id]
                  : this.selected.filter(id => id !== config.id);
                this.update();
              }}
            />
            {typeof config.name === 'string' && config.name
              ? config.name
              : config.id}
            {!config.enabled && ` (${trans.__('off')})`}
          </label>
        ))}
      </fieldset>
    );
  }
}
