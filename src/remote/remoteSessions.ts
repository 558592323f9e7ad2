import type { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  DOMUtils,
  MainAreaWidget,
  showDialog
} from '@jupyterlab/apputils';
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { IRunningSessionManagers } from '@jupyterlab/running';
import type { Kernel } from '@jupyterlab/services';
import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { PanelWithToolbar } from '@jupyterlab/ui-components';
import { Signal } from '@lumino/signaling';
// The remote views' styles load with their code, not with the lab.
import '../../style/remote.css';
import '../../style/remote-jupyter.css';
import '../../style/remote-hub.css';
import '../../style/remote-skaha.css';
import '../../style/remote-run-code.css';
import { SettingsStore } from '../settings/settingsStore';
import type { ILmkNotifier, ILmkSidebar } from '../tokens';
import { RemoteSessionsPanel } from '../widgets/remote/remoteSessionsPanel';
import { diagnoseJupyterServer } from './jupyter/diagnose';
import {
  normaliseServerUrl,
  settingsForServer
} from './jupyter/jupyterConnection';
import { KernelWatcher } from './jupyter/kernelWatcher';
import { KernelWatches } from './jupyter/kernelWatches';
import { RemoteRunningGroups } from './jupyter/runningGroups';
import {
  type IKernelWatchTarget,
  type IRemoteContext,
  type IRemoteServerConfig,
  watchesStorageKey
} from './remoteServer';

/**
 * Everything behind the Remote sessions section, loaded on first use: the
 * settings it edits, the kernel watches (resumed after a reload), the
 * Running panel groups of remote servers, and what the views may ask of
 * the lab (confirm, run code, watch, open, add a server).
 */
export class RemoteSessions {
  constructor(options: RemoteSessions.IOptions) {
    this._options = options;
    const { trans } = options;
    this._store = new SettingsStore({
      registry: options.registry,
      pluginId: 'jupyterlab-lmk:plugin',
      trans
    });
    this._watches = new KernelWatches({ key: watchesStorageKey() });
    const ready = this._store.ready.catch(() => undefined);
    // Watches need the servers' tokens: start following once they are read.
    void ready.then(() => {
      const notifier = options.notifier;
      this._watcher = notifier
        ? new KernelWatcher({
            watches: this._watches,
            notifier,
            trans,
            resolveSettings: serverId =>
              settingsForServer(serverId, this._store.settings.remoteServers)
          })
        : null;
      if (options.running) {
        this._running = new RemoteRunningGroups({
          runningManagers: options.running,
          servers: () => this._store.settings.remoteServers,
          changed: this._store.changed,
          trans
        });
      }
    });
    this._context = this._makeContext();
  }

  /** Show the section's contents (built the first time). */
  showPanel(): void {
    if (!this._panel) {
      const { app, section } = this._options;
      this._panel = new RemoteSessionsPanel({
        store: this._store,
        context: this._context,
        local: {
          sessions: app.serviceManager.sessions,
          kernels: app.serviceManager.kernels
        },
        normalize: config => RemoteSessions.normalize(config),
        check: config => RemoteSessions.check(config, this._options.trans)
      });
      void this._store.ready
        .catch(() => undefined)
        .then(() => section.addWidget(this._panel!));
    }
    this._shown.emit();
  }

  /** Stop following watched kernels and leave the Running panel. */
  dispose(): void {
    this._watcher?.dispose();
    this._running?.dispose();
    this._watches.dispose();
    this._panel?.dispose();
  }

  /** Refresh every listed server now. */
  refresh(): void {
    this._shown.emit();
  }

  private _makeContext(): IRemoteContext {
    const { app, trans, notifier, sidebar } = this._options;
    const watches = this._watches;
    return {
      trans,
      canWatch: !!notifier,
      isVisible: () => sidebar.isVisible() && this._options.section.isVisible,
      shown: this._shown,
      confirm: async (title, body, action) => {
        const answer = await showDialog({
          title,
          body,
          buttons: [
            Dialog.cancelButton({ label: trans.__('Cancel') }),
            Dialog.warnButton({ label: action })
          ]
        });
        return answer.button.accept;
      },
      runCode: (kernel: Kernel.IKernelConnection, title: string) =>
        void this._openRunCode(kernel, title),
      watch: (target: IKernelWatchTarget) => watches.add(target),
      unwatch: (serverId, kernelId) => watches.remove(serverId, kernelId),
      isWatched: (serverId, kernelId) => watches.has(serverId, kernelId),
      watchesChanged: watches.changed,
      openLocal: (path: string) =>
        void app.commands.execute('docmanager:open', { path }),
      addJupyterServer: async ({ name, url, token }) => {
        await this._store.saveRemoteServer({
          id: this._store.newRemoteServerId('jupyter'),
          kind: 'jupyter',
          name,
          url,
          token
        });
      }
    };
  }

  private async _openRunCode(
    kernel: Kernel.IKernelConnection,
    title: string
  ): Promise<void> {
    const { app, trans } = this._options;
    const rendermime = this._options.rendermime;
    if (!rendermime) {
      await showDialog({
        title: trans.__('Run code is not available'),
        body: trans.__(
          'This lab has no output renderers (IRenderMimeRegistry).'
        ),
        buttons: [Dialog.okButton()]
      });
      return;
    }
    const { RunCodePanel } = await import('../widgets/remote/runCodePanel');
    const content = new RunCodePanel({ kernel, title, rendermime, trans });
    const widget = new MainAreaWidget({ content });
    widget.id = DOMUtils.createDomID();
    widget.title.label = trans.__('Run code: %1', title);
    widget.title.closable = true;
    // The connection was opened for this panel: close it with the panel.
    widget.disposed.connect(() => kernel.dispose());
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
  }

  private _options: RemoteSessions.IOptions;
  private _store: SettingsStore;
  private _watches: KernelWatches;
  private _watcher: KernelWatcher | null = null;
  private _running: RemoteRunningGroups | null = null;
  private _context: IRemoteContext;
  private _panel: RemoteSessionsPanel | null = null;
  private _shown = new Signal<this, void>(this);
}

/**
 * The namespace for `RemoteSessions` statics.
 */
export namespace RemoteSessions {
  /**
   * What the plugin hands over.
   */
  export interface IOptions {
    app: JupyterFrontEnd;
    /** Sends "tell me when it's done"; without it, no watches. */
    notifier: ILmkNotifier | null;
    registry: ISettingRegistry;
    sidebar: ILmkSidebar;
    section: PanelWithToolbar;
    rendermime: IRenderMimeRegistry | null;
    running: IRunningSessionManagers | null;
    trans: TranslationBundle;
  }

  /**
   * Tidy a server as typed: a Jupyter address pasted with `/lab/...` and
   * `?token=` becomes its base URL, the token going to the token field.
   */
  export function normalize(config: IRemoteServerConfig): IRemoteServerConfig {
    if (config.kind !== 'jupyter') {
      return config;
    }
    const normalised = normaliseServerUrl(config.url);
    if (!normalised) {
      return config;
    }
    return {
      ...config,
      url: normalised.baseUrl,
      token: config.token || normalised.token || ''
    };
  }

  /**
   * Check a server over the network before it is saved: null when it
   * answers as expected, else what is wrong and what to do.
   */
  export async function check(
    config: IRemoteServerConfig,
    trans: TranslationBundle
  ): Promise<string | null> {
    try {
      switch (config.kind) {
        case 'hub': {
          const { HubClient } = await import('./hub/hubClient');
          await new HubClient({
            url: config.url,
            token: config.token,
            trans
          }).whoAmI();
          return null;
        }
        case 'skaha': {
          const { SkahaClient } = await import('./skaha/skahaClient');
          await new SkahaClient({
            url: config.url,
            token: config.token,
            trans
          }).stats();
          return null;
        }
        default:
          return await diagnoseJupyterServer(config.url, config.token, trans);
      }
    } catch (reason) {
      return reason instanceof Error ? reason.message : String(reason);
    }
  }
}
