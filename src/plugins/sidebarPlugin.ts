import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import {
  ITranslator,
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import {
  bellIcon,
  clearIcon,
  PanelWithToolbar,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { type Message, MessageLoop } from '@lumino/messaging';
// The command is registered at start; it is a constant.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
import {
  type IHistoryEntry,
  NotificationHistory
} from '../history/notificationHistory';
import { goToCell } from '../navigation/goToCell';
import { ILmkNotifier } from '../tokens';

/**
 * The "Notifications" side panel and its History section: the last 200
 * notifications, kept across reloads, with per-channel delivery status,
 * "Go to cell", "Resend" and "Clear". The list itself is loaded the first
 * time the panel is shown.
 */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:sidebar',
  description:
    'The Notifications side panel, with the history of notifications.',
  autoStart: true,
  requires: [ILmkNotifier],
  optional: [ITranslator, ILayoutRestorer, INotebookTracker, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    notifier: ILmkNotifier,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    // One history per lab (server address).
    const key = `jupyterlab-lmk:history:${ServerConnection.makeSettings().baseUrl}`;
    const history = new NotificationHistory({
      storage: Private.storage(),
      key
    });
    notifier.delivered.connect((_, { notification, results }) => {
      history.record(notification, results);
    });
    // Another tab of this lab recorded or cleared a notification.
    window.addEventListener('storage', event => {
      if (event.key === key) {
        history.reload();
      }
    });

    const panel = new SidePanel({ translator: translator ?? undefined });
    panel.id = 'jp-lmk-sidebar';
    panel.title.icon = bellIcon;
    panel.title.caption = trans.__('Notifications');
    panel.addClass('jp-lmk-Sidebar');

    const section = new PanelWithToolbar();
    section.addClass('jp-lmk-HistorySection');
    section.title.label = trans.__('History');
    section.toolbar.addItem(
      'clear',
      new ToolbarButton({
        icon: clearIcon,
        tooltip: trans.__('Clear the notification history'),
        onClick: () => {
          void Private.confirmClear(history, trans);
        }
      })
    );
    panel.addWidget(section);

    let loaded = false;
    MessageLoop.installMessageHook(panel, (_, msg: Message) => {
      if (msg.type === 'before-show' && !loaded) {
        loaded = true;
        void import('../widgets/historyView').then(({ HistoryView }) => {
          section.addWidget(
            new HistoryView({
              history,
              trans,
              goTo: async (entry: IHistoryEntry) => {
                if (entry.target) {
                  await goToCell(app, notebooks, entry.target);
                }
              },
              resend: async (entry: IHistoryEntry) => {
                await notifier.notify(
                  { id: entry.id, event: entry.event, target: entry.target },
                  { evenIfPresent: true }
                );
              }
            })
          );
        });
      }
      return true;
    });

    app.shell.add(panel, 'left', { rank: 950 });
    restorer?.add(panel, 'jupyterlab-lmk:sidebar');

    app.commands.addCommand(CommandIDs.openHistory, {
      label: trans.__('Show Notification History'),
      caption: trans.__('Open the Notifications panel at its history'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => {
        app.shell.activateById(panel.id);
        section.node.scrollIntoView({ block: 'nearest' });
      }
    });
    palette?.addItem({
      command: CommandIDs.openHistory,
      category: trans.__('Notifications')
    });
  }
};

namespace Private {
  /**
   * The browser's local storage, or `null` where it is off.
   */
  export function storage(): Storage | null {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }

  export async function confirmClear(
    history: NotificationHistory,
    trans: TranslationBundle
  ): Promise<void> {
    if (history.entries.length === 0) {
      return;
    }
    const answer = await showDialog({
      title: trans.__('Clear the notification history?'),
      body: trans.__(
        'The %1 notifications listed will be forgotten in this browser.',
        history.entries.length
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Clear') })
      ]
    });
    if (answer.button.accept) {
      history.clear();
    }
  }
}
