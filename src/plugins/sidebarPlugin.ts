import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';
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
import { type ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
// The command is registered at start; it is a constant.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
// The history records from the first notification on, panel open or not.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import {
  historyKey,
  type IHistoryEntry,
  NotificationHistory
} from '../history/notificationHistory';
import { goToCell } from '../navigation/goToCell';
// The status bar item shows the channels from the start.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { SettingsStore } from '../settings/settingsStore';
import { ILmkNotifier, ILmkSidebar } from '../tokens';
import { finishMatrixSso } from '../matrix/ssoReturn';

/**
 * The "Notifications" side panel: Account (Matrix and ntfy logins),
 * Channels (add, edit, test, switch on/off, defaults), History (the last
 * 200 notifications with per-channel delivery status, "Go to cell",
 * "Resend", "Clear") and Remote sessions. Its contents are loaded the first
 * time the panel is shown; a status bar item and `lmk:open-panel` open it.
 */
export const sidebarPlugin: JupyterFrontEndPlugin<ILmkSidebar> = {
  id: 'jupyterlab-lmk:sidebar',
  description:
    'The Notifications side panel: logins, channels, history; other plugins add sections (remote sessions).',
  autoStart: true,
  provides: ILmkSidebar,
  requires: [ILmkNotifier, ISettingRegistry],
  optional: [
    ITranslator,
    ILayoutRestorer,
    INotebookTracker,
    ICommandPalette,
    IStatusBar
  ],
  activate: (
    app: JupyterFrontEnd,
    notifier: ILmkNotifier,
    registry: ISettingRegistry,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null
  ): ILmkSidebar => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const store = new SettingsStore({
      registry,
      pluginId: 'jupyterlab-lmk:plugin',
      trans
    });
    // Back from a Matrix single sign-on: finish the login in this window.
    void finishMatrixSso(store, trans);
    // One history per lab (server address).
    const key = historyKey(ServerConnection.makeSettings().baseUrl);
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

    // The sections are made the first time the panel is shown: a lab that
    // never opens the panel pays only for its tab.
    let historySection: PanelWithToolbar | null = null;
    const sidebar = new Private.Sidebar(panel, () => {
      const account = Private.section(
        'jp-lmk-AccountSection',
        trans.__('Account')
      );
      const channels = Private.section(
        'jp-lmk-ChannelsSection',
        trans.__('Channels'),
        new ToolbarButton({
          label: trans.__('This notebook…'),
          tooltip: trans.__('Choose the channels of the current notebook'),
          onClick: () => {
            void app.commands.execute(CommandIDs.chooseNotebookChannels);
          }
        })
      );
      const section = Private.section(
        'jp-lmk-HistorySection',
        trans.__('History'),
        new ToolbarButton({
          icon: clearIcon,
          tooltip: trans.__('Clear the notification history'),
          onClick: () => {
            void Private.confirmClear(history, trans);
          }
        })
      );
      for (const made of [account, channels, section]) {
        panel.addWidget(made);
      }
      historySection = section;

      void Private.loadSettingsSections({
        account,
        channels,
        store,
        history,
        notifier,
        trans
      });
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
    });

    MessageLoop.installMessageHook(panel, (_, msg: Message) => {
      if (msg.type === 'before-show') {
        sidebar.build();
      }
      if (msg.type === 'after-show') {
        // After the lazily loaded sections were created.
        requestAnimationFrame(() => sidebar.emitShown());
      }
      return true;
    });

    app.shell.add(panel, 'left', { rank: 950 });
    restorer?.add(panel, 'jupyterlab-lmk:sidebar');

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open the Notifications Panel'),
      caption: trans.__('Logins, channels, history and remote sessions'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => {
        app.shell.activateById(panel.id);
      }
    });
    palette?.addItem({
      command: CommandIDs.openPanel,
      category: trans.__('Notifications')
    });
    if (statusBar) {
      statusBar.registerStatusItem('jupyterlab-lmk:status', {
        item: Private.statusItem(app, store, trans),
        align: 'left',
        rank: 4
      });
    }

    app.commands.addCommand(CommandIDs.openHistory, {
      label: trans.__('Show Notification History'),
      caption: trans.__('Open the Notifications panel at its history'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: () => {
        app.shell.activateById(panel.id);
        sidebar.build();
        historySection?.node.scrollIntoView({ block: 'nearest' });
      }
    });
    palette?.addItem({
      command: CommandIDs.openHistory,
      category: trans.__('Notifications')
    });
    return sidebar;
  }
};

namespace Private {
  /**
   * What other plugins see of the side panel.
   */
  export class Sidebar implements ILmkSidebar {
    /**
     * @param _makeSections - adds the panel's own sections; called once,
     * by `build()`.
     */
    constructor(
      private _panel: SidePanel,
      private _makeSections: () => void
    ) {}

    get shown(): ISignal<this, void> {
      return this._shown;
    }

    /**
     * Add a section after the panel's own; before the panel is first
     * shown, it waits for them.
     */
    addSection(section: Widget): void {
      if (this._built) {
        this._panel.addWidget(section);
      } else {
        this._waiting.push(section);
      }
    }

    /**
     * Make the sections (the first time only).
     */
    build(): void {
      if (this._built) {
        return;
      }
      this._built = true;
      this._makeSections();
      for (const section of this._waiting.splice(0)) {
        this._panel.addWidget(section);
      }
    }

    isVisible(): boolean {
      return this._panel.isVisible && document.visibilityState === 'visible';
    }

    emitShown(): void {
      this._shown.emit();
    }

    private _built = false;
    private _waiting: Widget[] = [];
    private _shown = new Signal<this, void>(this);
  }

  /**
   * One of the panel's own sections, with its button (if any) in its
   * toolbar.
   */
  export function section(
    className: string,
    label: string,
    button?: ToolbarButton
  ): PanelWithToolbar {
    const made = new PanelWithToolbar();
    made.addClass(className);
    made.title.label = label;
    if (button) {
      made.toolbar.addItem('action', button);
    }
    return made;
  }

  /**
   * A widget holding one paragraph of text.
   */
  export function paragraph(text: string): Widget {
    const node = document.createElement('p');
    node.className = 'jp-lmk-Sidebar-note';
    node.textContent = text;
    return new Widget({ node });
  }

  /**
   * Fill the Account and Channels sections (their code loads here).
   */
  export async function loadSettingsSections(options: {
    account: PanelWithToolbar;
    channels: PanelWithToolbar;
    store: SettingsStore;
    history: NotificationHistory;
    notifier: ILmkNotifier;
    trans: TranslationBundle;
  }): Promise<void> {
    const { store, history, notifier, trans } = options;
    const [{ AccountPanel }, { ChannelsPanel }, catalog, services] =
      await Promise.all([
        import('../widgets/accountPanel'),
        import('../widgets/channelsPanel'),
        import('../delivery/channels/channelCatalog'),
        import('../widgets/accountServices')
      ]);
    await store.ready.catch(() => undefined);
    options.account.addWidget(
      new AccountPanel({
        store,
        trans,
        matrix: () => services.matrixService(trans),
        ntfy: () => services.ntfyService(trans)
      })
    );
    options.channels.addWidget(
      new ChannelsPanel({
        store,
        history,
        trans,
        descriptions: await catalog.loadChannelDescriptions(),
        test: async channelId => {
          const { buildTestEvent } = await import('../messages/runEvent');
          const [result] = await notifier.notify(
            {
              id: `test:${channelId}:${Date.now()}`,
              event: buildTestEvent(trans),
              target: null
            },
            { channels: [channelId], evenIfPresent: true }
          );
          return result;
        },
        confirmRemove: async config => {
          const answer = await showDialog({
            title: trans.__('Remove this channel?'),
            body: trans.__(
              'Notifications will no longer go to "%1". Its settings (and any token) are deleted.',
              typeof config.name === 'string' ? config.name : config.id
            ),
            buttons: [
              Dialog.cancelButton({ label: trans.__('Cancel') }),
              Dialog.warnButton({ label: trans.__('Remove') })
            ]
          });
          return answer.button.accept;
        }
      })
    );
  }

  /**
   * The status bar item: a bell with the number of channels switched on;
   * a click opens the panel.
   */
  export function statusItem(
    app: JupyterFrontEnd,
    store: SettingsStore,
    trans: TranslationBundle
  ): Widget {
    const node = document.createElement('button');
    node.type = 'button';
    node.className = 'jp-lmk-StatusItem';
    const icon = document.createElement('span');
    icon.className = 'jp-lmk-StatusItem-icon';
    bellIcon.element({ container: icon, height: '14px', width: '14px' });
    const label = document.createElement('span');
    node.append(icon, label);
    const render = () => {
      const on = store.settings.channels.filter(c => c.enabled).length;
      label.textContent = trans._n('%1 channel', '%1 channels', on);
      node.title = trans.__('Notifications: open the panel');
    };
    render();
    store.changed.connect(render);
    node.addEventListener('click', () => {
      void app.commands.execute(CommandIDs.openPanel);
    });
    return new Widget({ node });
  }

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
