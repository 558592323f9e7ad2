import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import type { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { KernelNotifyLog } from '../kernelNotify/deliveryLog';
import {
  type IKernelNotifyRequest,
  KernelNotifyWatcher
} from '../kernelNotify/kernelNotifyWatcher';
import { NotifyOutputRenderer } from '../kernelNotify/notifyOutputRenderer';
import { NOTIFY_MIME_TYPE } from '../kernelNotify/payload';
import { notebookUrl } from '../navigation/notebookUrl';
import { ILmkNotifier } from '../tokens';

/**
 * Lets kernel code send notifications: `jupyterlab_lmk.notify(...)` (or any
 * kernel displaying the lmk MIME type) is sent once, when its output is
 * produced, and the output says where it went. Nothing to do without the
 * notifier (`:plugin` disabled): the output then shows as the lab would.
 */
export const kernelNotifyPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:kernel-notify',
  description:
    'Sends the notifications that kernel code asks for with jupyterlab_lmk.notify().',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [ITranslator, ILmkNotifier],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    translator: ITranslator | null,
    notifier: ILmkNotifier | null
  ): void => {
    if (!notifier) {
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const log = new KernelNotifyLog();

    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [NOTIFY_MIME_TYPE],
        defaultRank: 10,
        createRenderer: () => new NotifyOutputRenderer(log, trans)
      },
      10
    );

    const send = async (
      panel: NotebookPanel,
      request: IKernelNotifyRequest
    ) => {
      const { payload, messageId, cellId } = request;
      const key = payload.id ?? messageId;
      if (log.get(key) !== undefined) {
        return;
      }
      log.set(key, 'sending');
      const { buildKernelNotifyEvent } =
        await import('../messages/kernelEvents');
      const path = panel.context.path;
      const kernel = panel.sessionContext.session?.kernel;
      const event = buildKernelNotifyEvent(payload, {
        notebookPath: path,
        notebookUrl: notebookUrl(path),
        kernel: kernel ? { id: kernel.id, name: kernel.name } : null
      });
      const results = await notifier.notify(
        {
          // The kernel relay's watcher uses the same id for the same call.
          id: `kernel:${key}`,
          event,
          target: { path, cellId: cellId ?? undefined }
        },
        { channels: payload.channels ?? undefined }
      );
      log.set(key, results);
    };

    const extension: DocumentRegistry.IWidgetExtension<
      NotebookPanel,
      INotebookModel
    > = {
      createNew: panel =>
        new KernelNotifyWatcher({
          notebook: panel.content,
          sessionContext: panel.sessionContext,
          onRequest: request => void send(panel, request)
        })
    };
    app.docRegistry.addWidgetExtension('Notebook', extension);
  }
};
