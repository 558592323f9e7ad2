import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { IRunningSessionManagers } from '@jupyterlab/running';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import {
  ITranslator,
  nullTranslator,
  type TranslationBundle
} from '@jupyterlab/translation';
import {
  kernelIcon,
  PanelWithToolbar,
  refreshIcon,
  SidePanel,
  ToolbarButton
} from '@jupyterlab/ui-components';
// The command ids are constants registered at start.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { CommandIDs } from '../commands';
import type { RemoteSessions } from '../remote/remoteSessions';
// Whether watches are stored decides if anything loads at start.
import { hasStoredWatches } from '../remote/remoteServer';
import { ILmkNotifier, ILmkSidebar } from '../tokens';
import { LazySidePanel } from '../widgets/lazySidePanel';
import { afterRestore } from './afterRestore';

/**
 * Remote sessions: a section of the Notifications panel listing this
 * server's sessions and kernels, other Jupyter servers, JupyterHub named
 * servers and CANFAR/Skaha platform sessions, with actions, "Run code…" and
 * "Tell me when it's done". Its code loads when the panel is first shown —
 * or at start when a watch is pending (watches survive reloads) or remote
 * Jupyter servers are configured (their kernels join the Running panel).
 *
 * It is a section of the Notifications panel; with that panel disabled
 * (`:sidebar`) it gets a side panel of its own, and without the notifier
 * (`:plugin`) it offers no "Tell me when it's done".
 */
export const remoteSessionsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:remote-sessions',
  description:
    'Remote sessions: Jupyter servers, JupyterHub and CANFAR/Skaha, run code, tell me when done.',
  autoStart: true,
  requires: [ISettingRegistry],
  optional: [
    ITranslator,
    IRenderMimeRegistry,
    IRunningSessionManagers,
    ICommandPalette,
    ILmkNotifier,
    ILmkSidebar,
    ILayoutRestorer
  ],
  activate: (
    app: JupyterFrontEnd,
    registry: ISettingRegistry,
    translator: ITranslator | null,
    rendermime: IRenderMimeRegistry | null,
    running: IRunningSessionManagers | null,
    palette: ICommandPalette | null,
    notifier: ILmkNotifier | null,
    lmkSidebar: ILmkSidebar | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const sidebar = lmkSidebar ?? Private.ownPanel(app, trans, restorer);
    const section = new PanelWithToolbar();
    section.id = 'jp-lmk-remote-sessions';
    section.addClass('jp-lmk-RemoteSection');
    section.title.label = trans.__('Remote sessions');
    section.toolbar.addItem(
      'refresh',
      new ToolbarButton({
        icon: refreshIcon,
        tooltip: trans.__('Refresh the remote sessions'),
        onClick: () => {
          void app.commands.execute(CommandIDs.refreshRemoteSessions);
        }
      })
    );
    sidebar.addSection(section);

    let remote: Promise<RemoteSessions> | null = null;
    const load = (): Promise<RemoteSessions> =>
      (remote ??= import('../remote/remoteSessions').then(
        ({ RemoteSessions }) =>
          new RemoteSessions({
            app,
            notifier,
            registry,
            sidebar,
            section,
            rendermime,
            running,
            trans
          })
      ));

    sidebar.shown.connect(() => {
      void load().then(sessions => sessions.showPanel());
    });
    // A pending watch or configured servers: load the remote code once the
    // lab is up.
    afterRestore(app, async () => {
      const settings = await registry.load('jupyterlab-lmk:plugin');
      const servers = settings.composite.remoteServers;
      if (hasStoredWatches() || (Array.isArray(servers) && servers.length)) {
        await load();
      }
    });

    app.commands.addCommand(CommandIDs.openRemoteSessions, {
      label: trans.__('Open Remote Sessions'),
      caption: trans.__(
        'Sessions on this server, other Jupyter servers, JupyterHub and CANFAR/Skaha'
      ),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: async () => {
        if (app.commands.hasCommand(CommandIDs.openPanel)) {
          await app.commands.execute(CommandIDs.openPanel);
        } else {
          app.shell.activateById(Private.OWN_PANEL_ID);
        }
        sidebar.reveal(section);
      }
    });
    app.commands.addCommand(CommandIDs.refreshRemoteSessions, {
      label: trans.__('Refresh Remote Sessions'),
      describedBy: { args: { type: 'object', properties: {} } },
      execute: async () => {
        (await load()).refresh();
      }
    });
    for (const command of [
      CommandIDs.openRemoteSessions,
      CommandIDs.refreshRemoteSessions
    ]) {
      palette?.addItem({ command, category: trans.__('Notifications') });
    }
  }
};

namespace Private {
  /** The id of the side panel made when the Notifications panel is off. */
  export const OWN_PANEL_ID = 'jp-lmk-remote-sidebar';

  /**
   * A side panel for the section alone, when the Notifications panel is
   * disabled.
   */
  export function ownPanel(
    app: JupyterFrontEnd,
    trans: TranslationBundle,
    restorer: ILayoutRestorer | null
  ): ILmkSidebar {
    const panel = new SidePanel();
    panel.id = OWN_PANEL_ID;
    panel.title.icon = kernelIcon;
    panel.title.caption = trans.__('Remote sessions');
    panel.addClass('jp-lmk-Sidebar');
    app.shell.add(panel, 'left', { rank: 951 });
    restorer?.add(panel, 'jupyterlab-lmk:remote-sessions');
    return new LazySidePanel({ panel });
  }
}
