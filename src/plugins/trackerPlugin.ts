import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { IRunTracker } from '../tokens';
// The tracker must be listening before the first cell runs.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RunTracker } from '../tracking/runTracker';

/**
 * Tracks the runs of every notebook: one watcher per notebook panel,
 * attached as a widget extension and disposed with the panel.
 */
export const trackerPlugin: JupyterFrontEndPlugin<IRunTracker> = {
  id: 'jupyterlab-lmk:tracker',
  description:
    'Tracks notebook runs: which cells were scheduled together, and when and how they ended.',
  autoStart: true,
  provides: IRunTracker,
  activate: (app: JupyterFrontEnd): IRunTracker => {
    const tracker = new RunTracker();
    const extension: DocumentRegistry.IWidgetExtension<
      NotebookPanel,
      INotebookModel
    > = {
      createNew: (panel, context) =>
        tracker.watch(panel.content, panel.sessionContext, () => context.path)
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);
    return tracker;
  }
};
