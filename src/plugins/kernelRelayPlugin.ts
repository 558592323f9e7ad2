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
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
// The command's id is a constant.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
// Its first use is at the first run; the relay itself loads later, and
// only once a channel allows delivery with the browser closed.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RelayHost } from '../relay/relayHost';
import { IKernelRelay, INotifyWhenDone, IRunTracker } from '../tokens';
import { connectToRunningKernel } from '../relay/runningKernel';

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
  optional: [
    IRunTracker,
    INotifyWhenDone,
    ITranslator,
    INotebookTracker,
    ICommandPalette
  ],
  provides: IKernelRelay,
  activate: (
    app: JupyterFrontEnd,
    tracker: IRunTracker | null,
    whenDone: INotifyWhenDone | null,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null
  ): IKernelRelay => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const kernels = app.serviceManager.kernels;
    const host = new RelayHost({
      tracker,
      whenDone,
      trans,
      storage: Private.storage(),
      scope: ServerConnection.makeSettings().baseUrl,
      connectTo: kernelId => connectToRunningKernel(kernels, kernelId),
      graceS: Private.graceSeconds()
    });
    const extension: DocumentRegistry.IWidgetExtension<
      NotebookPanel,
      INotebookModel
    > = {
      createNew: (panel, context) =>
        host.attach(panel.content, panel.sessionContext, () => context.path)
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);
    const panelOf = (args: { path?: unknown }) => {
      const path = typeof args.path === 'string' ? args.path : null;
      return path
        ? (notebooks?.find(p => p.context.path === path) ?? null)
        : (notebooks?.currentWidget ?? null);
    };
    const statusOf = (args: { path?: unknown }) => {
      const panel = panelOf(args);
      return host.status(
        panel?.context.path ?? null,
        panel?.sessionContext ?? null
      );
    };
    app.commands.addCommand(CommandIDs.showClosedBrowserDelivery, {
      label: args =>
        statusOf(args).can
          ? trans.__('When the Browser Is Closed: the Kernel Tells')
          : trans.__('When the Browser Is Closed: Not Told'),
      caption: args => statusOf(args).text,
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description: trans.__(
                "The notebook's path (default: the current notebook)"
              )
            }
          }
        }
      },
      isEnabled: args => !!panelOf(args),
      execute: async args => {
        await showDialog({
          title: trans.__('Notifications while the browser is closed'),
          body: [
            statusOf(args).text,
            trans.__(
              'A kernel that dies while no page of the lab is open is not reported.'
            )
          ].join('\n\n'),
          buttons: [Dialog.okButton()]
        });
      }
    });
    palette?.addItem({
      command: CommandIDs.showClosedBrowserDelivery,
      category: trans.__('Notifications')
    });
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

  /**
   * The grace window an admin set with the page config option
   * `lmkRelayGraceSeconds` (1 to 600 s; docs/kernel-relay.md), or the
   * default's `undefined`.
   */
  export function graceSeconds(): number | undefined {
    const seconds = Number(PageConfig.getOption('lmkRelayGraceSeconds'));
    return seconds >= 1 && seconds <= 600 ? seconds : undefined;
  }
}
