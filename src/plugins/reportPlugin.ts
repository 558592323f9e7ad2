import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { INotebookTracker, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
// Command ids are constants the toolbar button needs when it is built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
// Registers commands at once; their work is loaded on first use.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addReportCommands } from '../report/reportCommands';
import { ILmkNotifier, IRunTracker } from '../tokens';

/**
 * Report values: the notebook toolbar's "Report values" button and its
 * command, and `lmk:run-and-report`. The values themselves are added to
 * run notifications by the main plugin, so the button needs run tracking;
 * `lmk:run-and-report` needs only the notifier.
 */
export const reportPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:report',
  description:
    'Adds chosen values to run notifications, and runs code to send its result.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [
    ITranslator,
    ICommandPalette,
    IToolbarWidgetRegistry,
    ILmkNotifier,
    IRunTracker
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    toolbarRegistry: IToolbarWidgetRegistry | null,
    notifier: ILmkNotifier | null,
    runs: IRunTracker | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const reports = !!notifier && !!runs;
    addReportCommands(app, {
      notifier,
      notebooks,
      trans,
      palette,
      editReport: reports
    });

    // The item itself is declared in schema/plugin.json (jupyter.lab.toolbars).
    toolbarRegistry?.addFactory<NotebookPanel>('Notebook', 'lmk-report', () => {
      if (!reports) {
        // An empty slot rather than the lab's default, a blank button.
        const nothing = new Widget();
        nothing.hide();
        return nothing;
      }
      // The label is its accessible name too: it says what it is about.
      return new ToolbarButton({
        className: 'jp-lmk-ReportButton',
        label: trans.__('Report values'),
        tooltip: trans.__(
          'Values to add to this notebook’s run notifications (Report Values in Notifications…)'
        ),
        onClick: () => {
          void app.commands.execute(CommandIDs.editReport);
        }
      });
    });
  }
};
