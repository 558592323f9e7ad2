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
  deleteIcon,
  PanelWithToolbar,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
import { type AccordionPanel, Widget } from '@lumino/widgets';
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
import { IKernelRelay, ILmkNotifier, ILmkSidebar } from '../tokens';
import { LazySidePanel } from '../widgets/lazySidePanel';
import { finishMatrixSso } from '../matrix/ssoReturn';

/**
 * The "Notifications" side panel, in the order it is used: Channels (add
 * in a dialog, edit, test, switch on/off, defaults; the logins made for
 * them), History (the last 200 notifications with what each channel did,
 * "Details", "Go to cell", "Resend", "Clear") and Remote sessions (another
 * plugin's section). Each section gets the height its content needs. Its
 * contents are loaded the first time the panel is shown; a status bar item
 * and `lmk:open-panel` open it.
 *
 * Without the notifier (`:plugin` disabled) the panel still edits the
 * channels, with no Test and no history.
 */
export const sidebarPlugin: JupyterFrontEndPlugin<ILmkSidebar> = {
  id: 'jupyterlab-lmk:sidebar',
  description:
    'The Notifications side panel: logins, channels, history; other plugins add sections (remote sessions).',
  autoStart: true,
  provides: ILmkSidebar,
  requires: [ISettingRegistry],
  optional: [
    ITranslator,
    ILayoutRestorer,
    INotebookTracker,
    ICommandPalette,
    IStatusBar,
    ILmkNotifier,
    IKernelRelay
  ],
  activate: (
    app: JupyterFrontEnd,
    registry: ISettingRegistry,
    translator: ITranslator | null,
    restorer: ILayoutRestorer | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    notifier: ILmkNotifier | null,
    kernelRelay: IKernelRelay | null
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
    notifier?.delivered.connect((_, { notification, results }) => {
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
    let fitter: { refresh(): void } | null = null;
    const sidebar = new LazySidePanel({
      panel,
      storage: Private.storage(),
      // In the order of use: channels and history first; remote sessions
      // (another plugin's section) wait folded until the user wants them.
      folded: ['jp-lmk-remote-sessions', 'jp-lmk-live-shares'],
      makeSections: () => {
        const channels = Private.section(
          'jp-lmk-channels-section',
          'jp-lmk-ChannelsSection',
          trans.__('Channels'),
          // The notebook's own channels, when the notebook plugin is on.
          app.commands.hasCommand(CommandIDs.chooseNotebookChannels)
            ? new ToolbarButton({
                label: trans.__('This notebook…'),
                tooltip: trans.__(
                  'Choose the channels of the current notebook'
                ),
                onClick: () => {
                  void app.commands.execute(CommandIDs.chooseNotebookChannels);
                }
              })
            : undefined
        );
        panel.addWidget(channels);
        if (kernelRelay) {
          // Above the channel list, which loads after it.
          void import('../widgets/relayStatusLine').then(
            ({ RelayStatusLine }) =>
              channels.insertWidget(
                0,
                new RelayStatusLine({ relay: kernelRelay, notebooks, trans })
              )
          );
        }
        void Private.loadChannels({
          channels,
          store,
          history,
          notifier,
          trans,
          started: app.started
        });
        if (notifier) {
          const section = Private.section(
            'jp-lmk-history-section',
            'jp-lmk-HistorySection',
            trans.__('History'),
            new ToolbarButton({
              icon: deleteIcon,
              tooltip: trans.__('Clear the notification history…'),
              onClick: () => {
                void Private.confirmClear(history, trans);
              }
            })
          );
          panel.addWidget(section);
          historySection = section;
          Private.loadHistory({
            app,
            section,
            history,
            notifier,
            notebooks,
            trans
          });
        }
        void import('../widgets/sectionFitter').then(({ SectionFitter }) => {
          const made = new SectionFitter({
            accordion: panel.content as AccordionPanel,
            isFlex: section => section === historySection
          });
          panel.disposed.connect(() => made.dispose());
          made.refresh();
          fitter = made;
        });
      },
      added: () => fitter?.refresh()
    });

    app.shell.add(panel, 'left', { rank: 950 });
    restorer?.add(panel, 'jupyterlab-lmk:sidebar');

    app.commands.addCommand(CommandIDs.openPanel, {
      label: trans.__('Open the Notifications Panel'),
      caption: trans.__('Channels, history and remote sessions'),
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
        if (historySection) {
          sidebar.reveal(historySection);
        }
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
   * One of the panel's own sections, with its button (if any) in its
   * toolbar.
   */
  export function section(
    id: string,
    className: string,
    label: string,
    button?: ToolbarButton
  ): PanelWithToolbar {
    const made = new PanelWithToolbar();
    made.id = id;
    made.addClass(className);
    made.title.label = label;
    if (button) {
      made.toolbar.addItem('action', button);
    }
    return made;
  }

  /**
   * Fill the Channels section (its code loads here).
   */
  export async function loadChannels(options: {
    channels: PanelWithToolbar;
    store: SettingsStore;
    history: NotificationHistory;
    notifier: ILmkNotifier | null;
    trans: TranslationBundle;
    started: Promise<void>;
  }): Promise<void> {
    const { store, history, notifier, trans } = options;
    const [{ ChannelsPanel }, catalog, services] = await Promise.all([
      import('../widgets/channelsPanel'),
      import('../delivery/channels/channelCatalog'),
      import('../widgets/accountServices')
    ]);
    await Promise.all([store.ready.catch(() => undefined), options.started]);
    options.channels.addWidget(
      new ChannelsPanel({
        store,
        history,
        trans,
        // Only the types that can be sent: a type whose plugin is disabled
        // (email) is not offered. Every plugin has registered its types once
        // the lab has started.
        descriptions: (await catalog.loadChannelDescriptions()).filter(
          d => !notifier || notifier.hasChannelType(d.type)
        ),
        matrix: () => services.matrixService(trans),
        ntfy: () => services.ntfyService(trans),
        test: notifier
          ? async channelId => {
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
            }
          : null,
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
   * Fill the History section (its code loads here).
   */
  export function loadHistory(options: {
    app: JupyterFrontEnd;
    section: PanelWithToolbar;
    history: NotificationHistory;
    notifier: ILmkNotifier;
    notebooks: INotebookTracker | null;
    trans: TranslationBundle;
  }): void {
    const { app, section, history, notifier, notebooks, trans } = options;
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
          },
          seen: (entry: IHistoryEntry) => notifier.markSeen(entry.id)
        })
      );
    });
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
