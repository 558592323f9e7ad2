import type { IRunningSessions } from '@jupyterlab/running';
import type { IRunningSessionManagers } from '@jupyterlab/running';
import type { Kernel, Session } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { kernelIcon } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';
import type { Poll } from '@lumino/polling';
import { Signal } from '@lumino/signaling';
import type { ISignal } from '@lumino/signaling';
import type { IRemoteServerConfig } from '../remoteServer';
import { JupyterRemote, remoteServerSettings } from './jupyterConnection';
import type { IRemoteSettingsOptions } from './jupyterConnection';

/**
 * Adds one group per configured remote Jupyter server ("Kernels on <name>")
 * to JupyterLab's Running panel, and keeps the groups in step with the
 * settings.
 */
export class RemoteRunningGroups implements IDisposable {
  constructor(options: RemoteRunningGroups.IOptions) {
    this._options = options;
    options.changed.connect(this._sync, this);
    this._sync();
  }

  /** The groups shown now, by server id. */
  get groups(): ReadonlyMap<string, RemoteKernelsGroup> {
    return this._groups;
  }

  /** Whether it has been disposed. */
  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Remove every group from the Running panel. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._options.changed.disconnect(this._sync, this);
    for (const entry of this._entries.values()) {
      entry.registration.dispose();
      entry.group.dispose();
    }
    this._entries.clear();
    this._groups.clear();
  }

  private _sync(): void {
    if (this._isDisposed) {
      return;
    }
    const configs = this._options
      .servers()
      .filter(config => config.kind === 'jupyter');
    const wanted = new Map(configs.map(config => [config.id, config]));
    for (const [id, entry] of this._entries) {
      const config = wanted.get(id);
      if (!config || Private.fingerprint(config) !== entry.fingerprint) {
        entry.registration.dispose();
        entry.group.dispose();
        this._entries.delete(id);
        this._groups.delete(id);
      }
    }
    for (const config of configs) {
      if (this._entries.has(config.id)) {
        continue;
      }
      let group: RemoteKernelsGroup;
      try {
        group = new RemoteKernelsGroup({
          config,
          trans: this._options.trans,
          settingsOptions: this._options.settingsOptions,
          standby: this._options.standby
        });
      } catch {
        // An invalid URL: the Remote sessions section says why.
        continue;
      }
      const registration = this._options.runningManagers.add(group);
      this._entries.set(config.id, {
        group,
        registration,
        fingerprint: Private.fingerprint(config)
      });
      this._groups.set(config.id, group);
    }
  }

  private _options: RemoteRunningGroups.IOptions;
  private _entries = new Map<
    string,
    {
      group: RemoteKernelsGroup;
      registration: IDisposable;
      fingerprint: string;
    }
  >();
  private _groups = new Map<string, RemoteKernelsGroup>();
  private _isDisposed = false;
}

/**
 * The namespace for `RemoteRunningGroups` statics.
 */
export namespace RemoteRunningGroups {
  /**
   * Options of the Running panel groups.
   */
  export interface IOptions {
    /** Where groups are added (the Running panel). */
    runningManagers: IRunningSessionManagers;
    /** The configured servers now (other kinds are ignored). */
    servers(): readonly IRemoteServerConfig[];
    /** Emitted when the configured servers change. */
    changed: ISignal<unknown, unknown>;
    trans: TranslationBundle;
    /** For tests: the fetch of the servers' settings. */
    settingsOptions?: IRemoteSettingsOptions;
    /** When the groups' polls stand by (default `when-hidden`). */
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }
}

/**
 * One remote server's kernels as a Running panel group.
 */
export class RemoteKernelsGroup
  implements IRunningSessions.IManager, IDisposable
{
  constructor(options: RemoteKernelsGroup.IOptions) {
    const { config, trans } = options;
    this._trans = trans;
    this._remote = new JupyterRemote({
      serverSettings: remoteServerSettings(config, options.settingsOptions),
      standby: options.standby
    });
    this.name = trans.__('Kernels on %1', config.name);
    this.shutdownAllLabel = trans.__('Shut Down All');
    this.shutdownAllConfirmationText = trans.__(
      'Are you sure you want to permanently shut down all kernels running on %1?',
      config.name
    );
    this._remote.kernels.runningChanged.connect(this._emit, this);
    this._remote.sessions.runningChanged.connect(this._emit, this);
  }

  /** Shown as the group's title. */
  readonly name: string;

  readonly shutdownAllLabel: string;

  readonly shutdownAllConfirmationText: string;

  /** The server's kernel manager. */
  get kernels(): Kernel.IManager {
    return this._remote.kernels;
  }

  /** The server's session manager. */
  get sessions(): Session.IManager {
    return this._remote.sessions;
  }

  /** Emitted when the kernels or sessions change. */
  get runningChanged(): ISignal<this, void> {
    return this._runningChanged;
  }

  get isDisposed(): boolean {
    return this._remote.isDisposed;
  }

  /** One item per kernel, named after its session's path when it has one. */
  running(): IRunningSessions.IRunningItem[] {
    if (this.isDisposed) {
      return [];
    }
    const pathOf = new Map<string, string>();
    for (const session of this._remote.sessions.running()) {
      if (session.kernel) {
        pathOf.set(session.kernel.id, session.path);
      }
    }
    const trans = this._trans;
    return Array.from(this._remote.kernels.running()).map(model => {
      const path = pathOf.get(model.id);
      return {
        className: 'jp-lmk-Remote-runningItem',
        icon: () => kernelIcon,
        label: () => path ?? model.name,
        labelTitle: () =>
          path
            ? trans.__(
                '%1 (kernel %2, %3)',
                path,
                model.name,
                model.execution_state ?? ''
              )
            : trans.__(
                'Kernel %1 (%2)',
                model.name,
                model.execution_state ?? ''
              ),
        detail: () => model.execution_state ?? '',
        shutdown: () => {
          void this._remote.kernels
            .shutdown(model.id)
            .catch(() => this.refreshRunning());
        }
      };
    });
  }

  shutdownAll(): void {
    void this._remote.kernels.shutdownAll().catch(() => this.refreshRunning());
  }

  refreshRunning(): void {
    void Promise.all([
      this._remote.kernels.refreshRunning(),
      this._remote.sessions.refreshRunning()
    ]).catch(() => undefined);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._remote.dispose();
    Signal.clearData(this);
  }

  private _emit(): void {
    this._runningChanged.emit();
  }

  private _trans: TranslationBundle;
  private _remote: JupyterRemote;
  private _runningChanged = new Signal<this, void>(this);
}

/**
 * The namespace for `RemoteKernelsGroup` statics.
 */
export namespace RemoteKernelsGroup {
  /**
   * Options of one server's group.
   */
  export interface IOptions {
    config: IRemoteServerConfig;
    trans: TranslationBundle;
    settingsOptions?: IRemoteSettingsOptions;
    standby?: Poll.Standby | (() => boolean | Poll.Standby);
  }
}

namespace Private {
  /** What, when it changes, needs a new connection. */
  export function fingerprint(config: IRemoteServerConfig): string {
    return JSON.stringify([config.name, config.url, config.token]);
  }
}
