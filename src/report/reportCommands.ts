import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ICommandPalette } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from '../commands';
import type { ILmkNotifier } from '../tokens';

/**
 * Register `lmk:edit-report` (when `editReport`) and `lmk:run-and-report`
 * (when there is a notifier); what they do is loaded on first use.
 */
export function addReportCommands(
  app: JupyterFrontEnd,
  options: {
    notifier: ILmkNotifier | null;
    notebooks: INotebookTracker;
    trans: TranslationBundle;
    palette: ICommandPalette | null;
    /** Whether report values can reach a notification (runs are tracked). */
    editReport: boolean;
  }
): void {
  const { notifier, notebooks, trans, palette } = options;
  const { commands } = app;
  const hasNotebook = () => notebooks.currentWidget !== null;
  const category = trans.__('Notifications');

  if (options.editReport) {
    Private.addEditReport(app, notebooks, trans, hasNotebook);
    palette?.addItem({ command: CommandIDs.editReport, category });
  }
  if (!notifier) {
    return;
  }

  commands.addCommand(CommandIDs.runAndReport, {
    label: trans.__('Run Code and Send the Result…'),
    caption: trans.__(
      'Run a snippet quietly in this notebook’s kernel and send what it prints or returns'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          code: { type: 'string', description: trans.__('The code to run') },
          channels: {
            type: 'array',
            items: { type: 'string' },
            description: trans.__('Ids of the channels to send to')
          },
          timeout: {
            type: 'number',
            description: trans.__('Seconds to wait for the result')
          }
        }
      }
    },
    isEnabled: hasNotebook,
    execute: async args => {
      const panel = notebooks.currentWidget;
      if (!panel) {
        return [];
      }
      const { runAndReport } = await import('./reportActions');
      return runAndReport(panel, args, notifier, trans);
    }
  });

  palette?.addItem({ command: CommandIDs.runAndReport, category });
}

namespace Private {
  export function addEditReport(
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    trans: TranslationBundle,
    hasNotebook: () => boolean
  ): void {
    app.commands.addCommand(CommandIDs.editReport, {
      label: trans.__('Report Values in Notifications…'),
      caption: trans.__(
        'Choose expressions whose values are added to this notebook’s run notifications'
      ),
      describedBy: { args: { type: 'object', properties: {} } },
      isEnabled: hasNotebook,
      execute: async () => {
        const panel = notebooks.currentWidget;
        if (panel) {
          const { editReport } = await import('./reportActions');
          await editReport(panel, trans);
        }
      }
    });
  }
}
