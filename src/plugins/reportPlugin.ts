import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
// Command ids are constants the toolbar button needs when it is built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
// Registers commands at once; their work is loaded on first use.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addReportCommands } from '../report/reportCommands';
import { ILmkNotifier } from '../tokens';

/**
 * Report values: the notebook toolbar's "Report" button and its command,
 * and `lmk:run-and-report`. The values themselves are added to run
 * notifications by the main plugin.
 */
export const reportPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:report',
  description:
    'Adds chosen values to run notifications, and runs code to send its result.',
  autoStart: true,
  requires: [ILmkNotifier, INotebookTracker],
  optional: [ITranslator, ICommandPalette, IToolbarWidgetRegistry],
  activate: (
    app: JupyterFrontEnd,
    notifier: ILmkNotifier,
    notebooks: INotebookTracker,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    toolbarRegistry: IToolbarWidgetRegistry | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    addReportCommands(app, { notifier, notebooks, trans, palette });

    // The item itself is declared in schema/plugin.json (jupyter.lab.toolbars).
    toolbarRegistry?.addFactory<NotebookPanel>('Notebook', 'lmk-report', () => {
      const button = new ToolbarButton({
        className: 'jp-lmk-ReportButton',
        label: trans.__('Report'),
        tooltip: trans.__('Values to add to this notebook’s run notifications'),
        onClick: () => {
          void app.commands.execute(CommandIDs.editReport);
        }
      });
      return button;
    });
  }
};
