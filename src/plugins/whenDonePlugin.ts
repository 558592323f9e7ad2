import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { NotifyWhenDone } from '../rules/notifyWhenDone';
import { INotifyWhenDone } from '../tokens';

/**
 * Keeps each notebook's one-shot "notify me when this run ends", shared by
 * the notifier (which uses it up) and the notebook toolbar's bell (which
 * shows it without listening to every command change of the lab).
 */
export const whenDonePlugin: JupyterFrontEndPlugin<INotifyWhenDone> = {
  id: 'jupyterlab-lmk:notify-when-done',
  description:
    'Keeps the one-shot "notify me when this run ends" of each notebook.',
  autoStart: true,
  provides: INotifyWhenDone,
  activate: (): INotifyWhenDone => new NotifyWhenDone()
};
