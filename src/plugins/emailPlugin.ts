import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import type { EmailKernelFinder } from '../delivery/channels/emailChannel';
import type { ILmkEvent } from '../tokens';
import { ILmkNotifier } from '../tokens';
import { connectToRunningKernel } from '../relay/runningKernel';

/**
 * Email (SMTP), sent by the notebook's kernel: registers the channel type
 * (loaded when it first delivers or the form needs it) and tells it where
 * the kernels are.
 */
export const emailPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:email',
  description:
    "Email notifications, sent by the notebook's Python kernel over SMTP.",
  autoStart: true,
  optional: [ILmkNotifier, ITranslator, INotebookTracker],
  activate: (
    app: JupyterFrontEnd,
    notifier: ILmkNotifier | null,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null
  ): void => {
    if (!notifier) {
      // Without the core plugin nothing is sent.
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const find = Private.finder(app, notebooks);
    const channel = import('../delivery/channels/emailChannel').then(module => {
      module.emailKernels.find = find;
      return new module.EmailChannel({ trans, find });
    });
    notifier.registerChannelType({
      type: 'email',
      remote: true,
      send: async (notification, config) =>
        (await channel).send(notification, config)
    });
  }
};

namespace Private {
  /**
   * The kernel of an event's notebook (by kernel id: an open page's
   * connection, else one made for the purpose), else the current
   * notebook's, else any open notebook's.
   */
  export function finder(
    app: JupyterFrontEnd,
    notebooks: INotebookTracker | null
  ): EmailKernelFinder {
    const kernels = app.serviceManager.kernels;
    const open = (): Kernel.IKernelConnection[] => {
      const found: Kernel.IKernelConnection[] = [];
      const current = notebooks?.currentWidget?.sessionContext.session?.kernel;
      if (current) {
        found.push(current);
      }
      notebooks?.forEach(panel => {
        const kernel = panel.sessionContext.session?.kernel;
        if (kernel && !found.includes(kernel)) {
          found.push(kernel);
        }
      });
      return found.filter(kernel => !kernel.isDisposed);
    };
    return async (event: ILmkEvent | null) => {
      const kernelId = event?.kernel?.id;
      const path = event?.notebook?.path;
      const candidates = open();
      if (kernelId) {
        const same = candidates.find(kernel => kernel.id === kernelId);
        if (same) {
          return { kernel: same, done: () => undefined };
        }
        const connection = await connectToRunningKernel(kernels, kernelId);
        return connection
          ? { kernel: connection, done: () => connection.dispose() }
          : null;
      }
      const ofPath = path
        ? notebooks?.find(panel => panel.context.path === path)
        : null;
      const kernel =
        ofPath?.sessionContext.session?.kernel ?? candidates[0] ?? null;
      return kernel ? { kernel, done: () => undefined } : null;
    };
  }
}
