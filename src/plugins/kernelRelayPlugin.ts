import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import {
  INotebookTracker,
  type INotebookModel,
  type NotebookPanel
} from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
// Its first use is at the first run; the relay itself loads later, and
// only once a channel allows delivery with the browser closed.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RelayHost } from '../relay/relayHost';
import { IKernelRelay, INotifyWhenDone, IRunTracker } from '../tokens';

/** Commands whose use changes which runs notify. */
const MODE_COMMANDS = new Set(['lmk:set-cell-mode']);

/**
 * "Tell me even when the browser is closed": follows each notebook's
 * kernel for the kernel relay, which the notifier plugin connects and
 * loads once a channel allows it (src/relay, docs/kernel-relay.md).
 */
export const kernelRelayPlugin: JupyterFrontEndPlugin<IKernelRelay> = {
  id: 'jupyterlab-lmk:kernel-relay',
  description:
    "Lets a notebook's kernel deliver its notifications while no page of the lab is open.",
  autoStart: true,
  requires: [IRunTracker],
  optional: [INotifyWhenDone, ITranslator, INotebookTracker],
  provides: IKernelRelay,
  activate: (
    app: JupyterFrontEnd,
    tracker: IRunTracker,
    whenDone: INotifyWhenDone | null,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null
  ): IKernelRelay => {
    const kernels = app.serviceManager.kernels;
    const host = new RelayHost({
      tracker,
      whenDone,
      trans: (translator ?? nullTranslator).load('jupyterlab_lmk'),
      storage: Private.storage(),
      scope: ServerConnection.makeSettings().baseUrl,
      connectTo: async kernelId => {
        await kernels.refreshRunning();
        const model = [...kernels.running()].find(m => m.id === kernelId);
        return model ? kernels.connectTo({ model }) : null;
      }
    });
    const extension: DocumentRegistry.IWidgetExtension<
      NotebookPanel,
      INotebookModel
    > = {
      createNew: (panel, context) =>
        host.attach(panel.content, panel.sessionContext, () => context.path)
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);
    app.commands.commandExecuted.connect((_, args) => {
      const path = notebooks?.currentWidget?.context.path;
      if (MODE_COMMANDS.has(args.id) && path) {
        host.modesChanged(path);
      }
    });
    return host;
  }
};

namespace Private {
  /** The browser's local storage, or `null` where it is off. */
  export function storage(): Storage | null {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }
}
