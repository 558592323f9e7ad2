import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { PanelWithToolbar } from '@jupyterlab/ui-components';
// The host follows runs from the first one on; it is small, and loads the
// code that talks to Matrix and ntfy when a run is first shared.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { LiveHost } from '../live/liveHost';
// The host reads the notebooks through it from its first run on.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { liveNotebooks } from '../live/liveNotebooks';
// Commands must exist when the palette and the bell menu are built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addShareCommands } from '../live/shareCommands';
import { ILiveStatus, ILmkSidebar, IRunTracker } from '../tokens';

/**
 * Watch a run live and stop it from the phone: "Share Live Status…" (the
 * notebook bell menu, `lmk:share-live-status`, or `lmk.live` in the
 * notebook's metadata) keeps a status message of the run up to date in a
 * Matrix room or an ntfy notification, from which its owner can interrupt
 * or mute the run. The notifier plugin connects it to the settings and the
 * history (docs/phone.md).
 */
export const liveStatusPlugin: JupyterFrontEndPlugin<ILiveStatus | null> = {
  id: 'jupyterlab-lmk:live-status',
  description:
    'Shares a run live to a Matrix room or ntfy, from where its owner can stop or mute it.',
  autoStart: true,
  optional: [IRunTracker, INotebookTracker, ITranslator, ICommandPalette],
  provides: ILiveStatus,
  activate: (
    app: JupyterFrontEnd,
    runs: IRunTracker | null,
    notebooks: INotebookTracker | null,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ): ILiveStatus | null => {
    if (!runs) {
      // Live status follows runs: with run tracking turned off, nothing to share.
      return null;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const host = new LiveHost({
      runs,
      notebooks: liveNotebooks(
        path => notebooks?.find(panel => panel.context.path === path),
        () => {
          const paths: string[] = [];
          notebooks?.forEach(panel => paths.push(panel.context.path));
          return paths;
        }
      ),
      trans,
      warn: message => {
        Notification.warning(message, { autoClose: false });
      }
    });
    notebooks?.widgetAdded.connect((_, panel) => {
      panel.disposed.connect(() => host.notebookClosed(panel.context.path));
    });
    addShareCommands(app, { live: host, notebooks, trans, palette });
    return host;
  }
};

/**
 * The "Shared Live" section of the Notifications panel: what is shared
 * live and where, with "Stop sharing".
 */
export const liveSharesPanelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-lmk:live-status-panel',
  description:
    'Lists the runs shared live in the Notifications panel, with Stop sharing.',
  autoStart: true,
  optional: [ILmkSidebar, ILiveStatus, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    sidebar: ILmkSidebar | null,
    live: ILiveStatus | null,
    translator: ITranslator | null
  ): void => {
    if (!sidebar || !live) {
      // No panel, or nothing shared (lmk:stop-live-status still stops one).
      return;
    }
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    const section = new PanelWithToolbar();
    // Folded until wanted, like Remote sessions (sidebarPlugin's defaults).
    section.id = 'jp-lmk-live-shares';
    section.addClass('jp-lmk-LiveSection');
    section.title.label = trans.__('Shared Live');
    sidebar.addSection(section);
    // A new share unfolds the section, so its Stop sharing is at hand: at
    // once if the panel is open, else when it is next shown. (A notebook
    // whose metadata shares every run is listed without a change signal,
    // so the count is compared when the panel is shown too.)
    let seen = 0;
    const unfoldIfNew = () => {
      const count = live.shares.length;
      seen = Math.min(seen, count);
      if (count > seen && sidebar.isVisible()) {
        seen = count;
        sidebar.reveal(section);
      }
    };
    live.changed.connect(unfoldIfNew);
    sidebar.shown.connect(unfoldIfNew);
    // Its view loads with the panel's first showing.
    const load = () => {
      sidebar.shown.disconnect(load);
      void import('../widgets/liveSharesView').then(({ LiveSharesView }) => {
        section.addWidget(
          new LiveSharesView({
            live,
            trans,
            stop: share => live.stop(share.id),
            open: async path => {
              await app.commands.execute('docmanager:open', { path });
            }
          })
        );
      });
    };
    sidebar.shown.connect(load);
    if (sidebar.isVisible()) {
      load();
    }
  }
};
