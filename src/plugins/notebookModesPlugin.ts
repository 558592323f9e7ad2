import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import type { Cell } from '@jupyterlab/cells';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { Menu } from '@lumino/widgets';
// Command ids are needed as the toolbar items are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
import { ModeButton } from '../notebook/modeButton';
// Commands must exist when the palette and toolbars are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addModeCommands } from '../notebook/modeCommands';
// Commands must exist when the palette and toolbars are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addNotebookChannelsCommand } from '../notebook/notebookChannelsCommand';
import { INHERIT, modeLabel, modeShortLabel } from '../notebook/modeLabels';
import { NOTIFY_MODES, readMode } from '../rules/notifyMode';
import { INotifyWhenDone } from '../tokens';

/**
 * Per-notebook and per-cell notification modes: the bell in the cell
 * toolbar, the bell in the notebook toolbar (modes, "notify me when this
 * run ends", mute, title prefix) and their commands. The toolbar items are
 * declared in schema/plugin.json (`jupyter.lab.toolbars`): one schema, so
 * the lab compiles one at each load.
 */
export const notebookModesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:notebook-modes',
  description:
    'Choose per notebook and per cell which runs notify you, from the toolbars and the palette.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [
    ITranslator,
    ICommandPalette,
    IToolbarWidgetRegistry,
    ISettingRegistry,
    INotifyWhenDone
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    registry: ISettingRegistry | null,
    whenDone: INotifyWhenDone | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const { commands } = app;
    addModeCommands(app, { notebooks, trans, palette });
    if (registry) {
      addNotebookChannelsCommand(app, { notebooks, registry, trans, palette });
    }
    if (!toolbarRegistry) {
      return;
    }

    toolbarRegistry.addFactory<Cell>('Cell', 'lmk-cell-mode', cell => {
      const button = new ModeButton({
        className: 'jp-lmk-CellBell',
        state: () => {
          const mode = readMode(cell.model.getMetadata('lmk'));
          return {
            label: '',
            title: trans.__(
              'Notify for this cell: %1',
              modeLabel(mode ?? INHERIT, 'cell', trans)
            ),
            active: mode !== null
          };
        },
        beforeOpen: () => {
          // The menu's commands act on the selected cells: this one.
          const notebook = notebooks.currentWidget?.content;
          const index = notebook?.widgets.indexOf(cell) ?? -1;
          if (notebook && index >= 0 && notebook.activeCellIndex !== index) {
            notebook.activeCellIndex = index;
          }
        },
        menu: () => (menu ??= Private.cellMenu(commands, trans))
      });
      let menu: Menu | null = null;
      const refresh = () => button.refresh();
      cell.model.metadataChanged.connect(refresh);
      button.disposed.connect(() => {
        menu?.dispose();
        cell.model?.metadataChanged.disconnect(refresh);
      });
      return button;
    });

    toolbarRegistry.addFactory<NotebookPanel>(
      'Notebook',
      'lmk-notebook-mode',
      panel => {
        const model = panel.context.model;
        const whenDoneArgs = () => ({ path: panel.context.path });
        const button = new ModeButton({
          className: 'jp-lmk-NotebookBell',
          state: () => {
            const mode = readMode(model.getMetadata('lmk'));
            const armed = whenDone?.isArmed(panel.context.path) ?? false;
            const modeText = modeLabel(mode ?? INHERIT, 'notebook', trans);
            return {
              label: armed
                ? trans.__('when done')
                : mode
                  ? modeShortLabel(mode, trans)
                  : '',
              title: armed
                ? trans.__(
                    'Notifications for this notebook: %1; you will be told when the current run ends',
                    modeText
                  )
                : trans.__('Notifications for this notebook: %1', modeText),
              active: armed || mode !== null
            };
          },
          menu: () => {
            // Rebuilt at each opening: the notebook's path may have changed.
            menu?.dispose();
            menu = Private.notebookMenu(commands, trans, whenDoneArgs());
            return menu;
          }
        });
        let menu: Menu | null = null;
        const refresh = () => button.refresh();
        model.metadataChanged.connect(refresh);
        // Not the lab's commandChanged: it fires several times per executed
        // cell, and a Run All would call this for each.
        const onWhenDone = (_: unknown, path: string) => {
          if (path === panel.context.path) {
            refresh();
          }
        };
        whenDone?.changed.connect(onWhenDone);
        button.disposed.connect(() => {
          menu?.dispose();
          model.metadataChanged.disconnect(refresh);
          whenDone?.changed.disconnect(onWhenDone);
        });
        return button;
      }
    );
  }
};

namespace Private {
  export function cellMenu(
    commands: CommandRegistry,
    trans: TranslationBundle
  ): Menu {
    const menu = new Menu({ commands });
    menu.addClass('jp-lmk-ModeMenu');
    menu.title.label = trans.__('Notify for This Cell');
    for (const mode of [INHERIT, ...NOTIFY_MODES]) {
      menu.addItem({
        command: CommandIDs.setCellMode,
        args: { mode, menu: true }
      });
    }
    return menu;
  }

  export function notebookMenu(
    commands: CommandRegistry,
    trans: TranslationBundle,
    whenDoneArgs: { path: string }
  ): Menu {
    const menu = new Menu({ commands });
    menu.addClass('jp-lmk-ModeMenu');
    menu.title.label = trans.__('Notify for This Notebook');
    menu.addItem({ command: CommandIDs.notifyWhenDone, args: whenDoneArgs });
    menu.addItem({ type: 'separator' });
    for (const mode of [INHERIT, ...NOTIFY_MODES]) {
      menu.addItem({
        command: CommandIDs.setNotebookMode,
        args: { mode, menu: true }
      });
    }
    menu.addItem({ type: 'separator' });
    menu.addItem({ command: CommandIDs.setTitlePrefix });
    menu.addItem({ command: CommandIDs.chooseNotebookChannels });
    menu.addItem({ command: CommandIDs.openHistory });
    return menu;
  }
}
