import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from '../commands';
import {
  readNotebookChannels,
  withNotebookChannels
} from '../rules/notebookChannels';
import { readSettings } from '../settings/lmkSettings';

/**
 * `lmk:choose-notebook-channels`: choose which channels the current
 * notebook's notifications go to. Only channel ids are written into the
 * notebook (`lmk.channels`), never a channel's settings or secrets.
 *
 * With the `channels` argument (a list of ids, or `null` for the default
 * channels) it sets them without asking.
 */
export function addNotebookChannelsCommand(
  app: JupyterFrontEnd,
  options: {
    notebooks: INotebookTracker;
    registry: ISettingRegistry;
    trans: TranslationBundle;
    palette: ICommandPalette | null;
  }
): void {
  const { notebooks, registry, trans, palette } = options;
  app.commands.addCommand(CommandIDs.chooseNotebookChannels, {
    label: trans.__('Choose Channels for This Notebook…'),
    caption: trans.__(
      'Where this notebook’s notifications go (saved in the notebook)'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          channels: {
            type: ['array', 'null'],
            items: { type: 'string' },
            description: trans.__(
              'Channel ids; null goes back to the default channels'
            )
          }
        }
      }
    },
    isEnabled: () => !!notebooks.currentWidget?.model,
    execute: async args => {
      const model = notebooks.currentWidget?.model;
      if (!model) {
        return;
      }
      let chosen: string[] | null;
      if (args.channels !== undefined) {
        chosen = Array.isArray(args.channels)
          ? args.channels.filter((id): id is string => typeof id === 'string')
          : null;
      } else {
        const loaded = await registry.load('jupyterlab-lmk:plugin');
        const { settings } = readSettings(
          loaded.composite as { [key: string]: unknown },
          trans
        );
        const { chooseChannels } =
          await import('../widgets/notebookChannelsDialog');
        const answer = await chooseChannels({
          channels: settings.channels,
          chosen: readNotebookChannels(model.getMetadata('lmk')),
          notebookName: notebooks.currentWidget?.title.label ?? '',
          trans
        });
        if (answer === undefined) {
          return; // Cancelled.
        }
        chosen = answer;
      }
      const next = withNotebookChannels(model.getMetadata('lmk'), chosen);
      if (next) {
        model.setMetadata('lmk', next);
      } else {
        model.deleteMetadata('lmk');
      }
    }
  });
  palette?.addItem({
    command: CommandIDs.chooseNotebookChannels,
    category: trans.__('Notifications')
  });
}
