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
import type { Menu } from '@lumino/widgets';
import { Widget } from '@lumino/widgets';
// Command ids are needed as the toolbar items are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
import { ModeButton } from '../notebook/modeButton';
// Commands must exist when the palette and toolbars are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addModeCommands } from '../notebook/modeCommands';
import {
  type IModeNumbers,
  INHERIT,
  modeHeading,
  modeLabel,
  modeShortLabel
} from '../notebook/modeLabels';
import { createModeMenu, type ModeMenuItem } from '../notebook/modeMenu';
// Commands must exist when the palette and toolbars are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addNotebookChannelsCommand } from '../notebook/notebookChannelsCommand';
import { NOTIFY_MODES, readMode } from '../rules/notifyMode';
// The menus quote the threshold; the settings reader is loaded at start anyway.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { DEFAULT_SETTINGS, readSettings } from '../settings/lmkSettings';
import { ILmkNotifier, INotifyWhenDone, IRunTracker } from '../tokens';

/**
 * Per-notebook and per-cell notification modes: the bell in the cell
 * toolbar, the bell in the notebook toolbar (modes, "notify me when this
 * run ends", report values, channels, title prefix, history) and their
 * commands. The toolbar items are declared in schema/plugin.json
 * (`jupyter.lab.toolbars`): one schema, so the lab compiles one at each
 * load.
 *
 * Modes choose which runs notify: without run tracking (`:tracker`) or
 * the notifier (`:plugin`) there is nothing to choose, and the bells stay
 * out of the toolbars.
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
    INotifyWhenDone,
    IRunTracker,
    ILmkNotifier
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    registry: ISettingRegistry | null,
    whenDone: INotifyWhenDone | null,
    runs: IRunTracker | null,
    notifier: ILmkNotifier | null
  ): void => {
    if (!runs || !notifier) {
      // The toolbar items are declared in the schema: give them an empty
      // slot rather than the lab's default (a blank command button).
      for (const [factory, name] of Private.TOOLBAR_ITEMS) {
        toolbarRegistry?.addFactory(factory, name, () => Private.nothing());
      }
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const { commands } = app;
    let numbers: IModeNumbers = DEFAULT_SETTINGS;
    if (registry) {
      void registry
        .load('jupyterlab-lmk:plugin')
        .then(loaded => {
          const read = () => {
            numbers = readSettings(
              loaded.composite as { [key: string]: unknown },
              trans
            ).settings;
          };
          read();
          loaded.changed.connect(read);
        })
        // The notifier warns about settings it cannot read.
        .catch(() => undefined);
    }
    addModeCommands(app, {
      notebooks,
      trans,
      palette,
      numbers: () => numbers
    });
    if (registry) {
      addNotebookChannelsCommand(app, { notebooks, registry, trans, palette });
    }
    if (!toolbarRegistry) {
      return;
    }

    toolbarRegistry.addFactory<Cell>('Cell', 'lmk-cell-mode', cell => {
      const button = new ModeButton({
        className: 'jp-lmk-CellBell',
        side: 'above',
        area: () =>
          (
            notebooks.currentWidget?.content.node ?? document.body
          ).getBoundingClientRect(),
        state: () => {
          const mode = readMode(cell.model.getMetadata('lmk'));
          return {
            label: '',
            title: trans.__(
              '%1: %2',
              modeHeading('cell', trans),
              modeLabel(mode ?? INHERIT, 'cell', numbers, trans)
            ),
            active: mode !== null
          };
        },
        beforeOpen: () => {
          // The menu's commands act on the selected cells: this one.
          const notebook = notebooks.currentWidget?.content;
          const index = notebook?.widgets.indexOf(cell) ?? -1;
          if (notebook && index >= 0) {
            notebook.deselectAll();
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
            const modeText = modeLabel(
              mode ?? INHERIT,
              'notebook',
              numbers,
              trans
            );
            return {
              label: armed
                ? trans.__('when done')
                : mode
                  ? modeShortLabel(mode, trans)
                  : '',
              title: armed
                ? trans.__(
                    '%1: %2; you will be told when the current run ends',
                    modeHeading('notebook', trans),
                    modeText
                  )
                : trans.__('%1: %2', modeHeading('notebook', trans), modeText),
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
  /** The toolbar items of this plugin declared in the schema. */
  export const TOOLBAR_ITEMS = [
    ['Cell', 'lmk-cell-mode'],
    ['Notebook', 'lmk-notebook-mode']
  ] as const;

  /** An empty, hidden toolbar slot. */
  export function nothing(): Widget {
    const widget = new Widget();
    widget.hide();
    return widget;
  }

  export function cellMenu(
    commands: CommandRegistry,
    trans: TranslationBundle
  ): Menu {
    return createModeMenu({
      commands,
      heading: modeHeading('cell', trans),
      items: [INHERIT, ...NOTIFY_MODES].map(mode => ({
        command: CommandIDs.setCellMode,
        args: { mode, menu: true },
        role: 'radio' as const
      }))
    });
  }

  export function notebookMenu(
    commands: CommandRegistry,
    trans: TranslationBundle,
    whenDoneArgs: { path: string }
  ): Menu {
    const items: ModeMenuItem[] = [
      ...[INHERIT, ...NOTIFY_MODES].map(mode => ({
        command: CommandIDs.setNotebookMode,
        args: { mode, menu: true },
        role: 'radio' as const
      })),
      { separator: true },
      {
        command: CommandIDs.notifyWhenDone,
        args: whenDoneArgs,
        role: 'checkbox'
      },
      { separator: true },
      { command: CommandIDs.editReport },
      { command: CommandIDs.chooseNotebookChannels },
      { command: CommandIDs.setTitlePrefix },
      ...(commands.hasCommand(CommandIDs.shareLiveStatus)
        ? [{ command: CommandIDs.shareLiveStatus, args: whenDoneArgs }]
        : []),
      ...(commands.hasCommand(CommandIDs.showClosedBrowserDelivery)
        ? [
            {
              command: CommandIDs.showClosedBrowserDelivery,
              args: whenDoneArgs
            }
          ]
        : []),
      { command: CommandIDs.openHistory }
    ];
    return createModeMenu({
      commands,
      heading: modeHeading('notebook', trans),
      items
    });
  }
}
