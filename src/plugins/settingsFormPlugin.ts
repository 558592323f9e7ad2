import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import {
  type IFormRenderer,
  IFormRendererRegistry
} from '@jupyterlab/ui-components';
import * as React from 'react';
// Command ids are constants.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
import type {
  ISettingsFieldProps,
  ListSetting
} from '../widgets/settingsFormFields';

/**
 * The list settings (`channels`, `accounts`, `remoteServers`) in the
 * Settings Editor's form: a summary of each, what of it is ignored, and a
 * button to the Notifications panel, where they are edited. Without it the
 * form shows these lists as boxes with a "+" that adds empty entries.
 */
export const settingsFormPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:settings-form',
  description:
    'Shows the channels, logins and remote servers in the Settings Editor, with a way to the Notifications panel.',
  autoStart: true,
  optional: [IFormRendererRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    forms: IFormRendererRegistry | null,
    translator: ITranslator | null
  ): void => {
    if (!forms) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const open = (setting: ListSetting) => {
      void app.commands.execute(
        setting === 'remoteServers'
          ? CommandIDs.openRemoteSessions
          : CommandIDs.openPanel
      );
    };
    for (const setting of ['channels', 'accounts', 'remoteServers'] as const) {
      // The field's code loads when the Settings Editor first shows it.
      const Field = React.lazy(async () => ({
        default: (await import('../widgets/settingsFormFields')).settingsField(
          setting,
          { trans, open }
        )
      }));
      const renderer = (props: ISettingsFieldProps) =>
        React.createElement(
          React.Suspense,
          { fallback: null },
          React.createElement(Field, props)
        );
      forms.addRenderer(`jupyterlab-lmk:plugin.${setting}`, {
        fieldRenderer: renderer as unknown as IFormRenderer['fieldRenderer']
      });
    }
  }
};
