import type { JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, InputDialog } from '@jupyterlab/apputils';
import type { Cell } from '@jupyterlab/cells';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from '../commands';
import { MAX_TITLE_PREFIX } from '../messages/eventExtras';
import {
  isNotifyMode,
  NOTIFY_MODES,
  type NotifyMode,
  readMode,
  withMode
} from '../rules/notifyMode';
import { type IModeNumbers, INHERIT, modeLabel } from './modeLabels';

/**
 * Commands that set when a cell or a notebook notifies; what they set is
 * stored in the `lmk` metadata, so it travels with the notebook.
 */
export function addModeCommands(
  app: JupyterFrontEnd,
  options: {
    notebooks: INotebookTracker;
    trans: TranslationBundle;
    palette: ICommandPalette | null;
    /** The settings the menus quote (threshold, still-running delay). */
    numbers: () => IModeNumbers;
  }
): void {
  const { notebooks, trans, palette, numbers } = options;
  const { commands } = app;
  const modeArg = {
    type: 'object',
    properties: {
      mode: {
        type: 'string',
        enum: [...NOTIFY_MODES, INHERIT],
        description: trans.__('The mode; "inherit" removes it')
      }
    },
    required: ['mode']
  };
  const notebookMode = () =>
    readMode(notebooks.currentWidget?.model?.getMetadata('lmk'));
  const setNotebookMode = (mode: NotifyMode | null) => {
    const model = notebooks.currentWidget?.model;
    if (model) {
      Private.write(model, withMode(model.getMetadata('lmk'), mode));
    }
  };

  commands.addCommand(CommandIDs.setCellMode, {
    label: args =>
      args.menu
        ? modeLabel(Private.mode(args.mode), 'cell', numbers(), trans)
        : trans.__(
            'Notify for Selected Cells: %1',
            modeLabel(Private.mode(args.mode), 'cell', numbers(), trans)
          ),
    caption: trans.__(
      'When runs of the selected cells notify you (saved in the notebook)'
    ),
    describedBy: { args: modeArg },
    isEnabled: () => !!notebooks.activeCell,
    isToggled: args =>
      Private.mode(args.mode) ===
      (readMode(notebooks.activeCell?.model.getMetadata('lmk')) ?? INHERIT),
    execute: args => {
      const notebook = notebooks.currentWidget?.content;
      if (!notebook) {
        return;
      }
      const mode = Private.checked(args.mode, trans);
      const selected = notebook.widgets.filter(cell =>
        notebook.isSelectedOrActive(cell)
      );
      for (const cell of selected) {
        Private.write(
          cell.model,
          withMode(
            cell.model.getMetadata('lmk'),
            mode === INHERIT ? null : mode
          )
        );
      }
    }
  });

  commands.addCommand(CommandIDs.setNotebookMode, {
    label: args =>
      args.menu
        ? modeLabel(Private.mode(args.mode), 'notebook', numbers(), trans)
        : trans.__(
            'Notify for This Notebook: %1',
            modeLabel(Private.mode(args.mode), 'notebook', numbers(), trans)
          ),
    caption: trans.__(
      'When runs of this notebook notify you (saved in the notebook)'
    ),
    describedBy: { args: modeArg },
    isEnabled: () => !!notebooks.currentWidget,
    isToggled: args => Private.mode(args.mode) === (notebookMode() ?? INHERIT),
    execute: args => {
      const mode = Private.checked(args.mode, trans);
      setNotebookMode(mode === INHERIT ? null : mode);
    }
  });

  commands.addCommand(CommandIDs.muteNotebook, {
    label: trans.__('Mute This Notebook'),
    caption: trans.__('No notification about this notebook’s runs'),
    describedBy: { args: { type: 'object', properties: {} } },
    isEnabled: () => !!notebooks.currentWidget,
    isToggled: () => notebookMode() === 'never',
    execute: () => {
      setNotebookMode(notebookMode() === 'never' ? null : 'never');
    }
  });

  commands.addCommand(CommandIDs.setTitlePrefix, {
    label: trans.__('Notification Title Prefix…'),
    caption: trans.__(
      'Text put in front of the title of this notebook’s notifications'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isEnabled: () => !!notebooks.currentWidget,
    execute: async () => {
      const model = notebooks.currentWidget?.model;
      if (!model) {
        return;
      }
      const lmk = model.getMetadata('lmk') as
        { [key: string]: unknown } | undefined;
      const answer = await InputDialog.getText({
        title: trans.__('Notification Title Prefix'),
        label: trans.__(
          'Put in front of the title of this notebook’s notifications (at most %1 characters; empty removes it):',
          MAX_TITLE_PREFIX
        ),
        text: typeof lmk?.titlePrefix === 'string' ? lmk.titlePrefix : '',
        okLabel: trans.__('Save')
      });
      if (!answer.button.accept) {
        return;
      }
      const prefix = (answer.value ?? '').trim().slice(0, MAX_TITLE_PREFIX);
      const next: { [key: string]: unknown } = { ...(lmk ?? {}) };
      if (prefix) {
        next.titlePrefix = prefix;
      } else {
        delete next.titlePrefix;
      }
      Private.write(model, Object.keys(next).length ? next : null);
    }
  });

  if (palette) {
    const category = trans.__('Notifications');
    for (const mode of [...NOTIFY_MODES, INHERIT]) {
      palette.addItem({
        command: CommandIDs.setCellMode,
        args: { mode },
        category
      });
      palette.addItem({
        command: CommandIDs.setNotebookMode,
        args: { mode },
        category
      });
    }
    palette.addItem({ command: CommandIDs.muteNotebook, category });
    palette.addItem({ command: CommandIDs.setTitlePrefix, category });
  }
}

namespace Private {
  export function mode(value: unknown): NotifyMode | typeof INHERIT {
    return isNotifyMode(value) ? value : INHERIT;
  }

  /**
   * The mode argument of a command, or an error naming the valid ones.
   */
  export function checked(
    value: unknown,
    trans: TranslationBundle
  ): NotifyMode | typeof INHERIT {
    if (value === INHERIT || isNotifyMode(value)) {
      return value;
    }
    throw new Error(
      trans.__(
        'Unknown mode "%1": use one of %2.',
        String(value),
        [...NOTIFY_MODES, INHERIT].join(', ')
      )
    );
  }

  /**
   * Set or delete the `lmk` metadata of a cell or notebook model.
   */
  export function write(
    model: Pick<Cell['model'], 'setMetadata' | 'deleteMetadata'>,
    value: { [key: string]: unknown } | null
  ): void {
    if (value) {
      model.setMetadata('lmk', value);
    } else {
      model.deleteMetadata('lmk');
    }
  }
}
