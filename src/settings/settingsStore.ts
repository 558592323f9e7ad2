import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { PartialJSONValue } from '@lumino/coreutils';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IRemoteServerConfig } from '../remote/remoteServer';
import type { IChannelConfig } from '../tokens';
import {
  DEFAULT_SETTINGS,
  type ILmkAccounts,
  type ILmkSettings,
  readSettings
} from './lmkSettings';

/**
 * The settings of `jupyterlab-lmk:plugin` as the sidebar edits them: read
 * checked, written back through the settings registry (so the Settings
 * Editor, other tabs and the notifier see every change).
 */
export class SettingsStore {
  constructor(options: SettingsStore.IOptions) {
    this._registry = options.registry;
    this._pluginId = options.pluginId;
    this._trans = options.trans;
    this.ready = this._registry.load(this._pluginId).then(loaded => {
      this._loaded = loaded;
      this._read();
      loaded.changed.connect(this._read, this);
    });
  }

  /** Resolves once the settings have been read. */
  readonly ready: Promise<void>;

  /** The current settings (defaults until `ready`). */
  get settings(): ILmkSettings {
    return this._settings;
  }

  /** Emitted when the settings change, here or anywhere else. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Replace the list of channels. */
  async setChannels(channels: readonly IChannelConfig[]): Promise<void> {
    await this._set('channels', channels as unknown as PartialJSONValue);
  }

  /** Replace one channel (by id), or add it at the end. */
  async saveChannel(channel: IChannelConfig): Promise<void> {
    const channels = [...this._settings.channels];
    const index = channels.findIndex(c => c.id === channel.id);
    if (index === -1) {
      channels.push(channel);
    } else {
      channels[index] = channel;
    }
    await this.setChannels(channels);
  }

  /** Remove a channel. */
  async removeChannel(id: string): Promise<void> {
    await this.setChannels(this._settings.channels.filter(c => c.id !== id));
  }

  /** Replace the logins. */
  async setAccounts(accounts: ILmkAccounts): Promise<void> {
    await this._set('accounts', accounts as unknown as PartialJSONValue);
  }

  /** Replace one remote server (by id), or add it at the end. */
  async saveRemoteServer(server: IRemoteServerConfig): Promise<void> {
    const servers = [...this._settings.remoteServers];
    const index = servers.findIndex(s => s.id === server.id);
    if (index === -1) {
      servers.push(server);
    } else {
      servers[index] = server;
    }
    await this._set('remoteServers', servers as unknown as PartialJSONValue);
  }

  /** Remove a remote server (its token goes with it). */
  async removeRemoteServer(id: string): Promise<void> {
    await this._set(
      'remoteServers',
      this._settings.remoteServers.filter(
        s => s.id !== id
      ) as unknown as PartialJSONValue
    );
  }

  /**
   * A remote server id not used yet, from a kind: `hub`, `hub-2`, ...
   */
  newRemoteServerId(kind: string): string {
    return Private.unusedId(
      kind,
      new Set(this._settings.remoteServers.map(s => s.id))
    );
  }

  /**
   * A channel id not used yet, from a type: `ntfy`, `ntfy-2`, ...
   */
  newChannelId(type: string): string {
    return Private.unusedId(
      type,
      new Set(this._settings.channels.map(c => c.id))
    );
  }

  private async _set(key: string, value: PartialJSONValue): Promise<void> {
    await this.ready;
    await this._registry.set(this._pluginId, key, value);
  }

  private _read(): void {
    if (!this._loaded) {
      return;
    }
    this._settings = readSettings(
      this._loaded.composite as { [key: string]: unknown },
      this._trans
    ).settings;
    this._changed.emit();
  }

  private _registry: ISettingRegistry;
  private _pluginId: string;
  private _trans: TranslationBundle;
  private _loaded: ISettingRegistry.ISettings | null = null;
  private _settings: ILmkSettings = DEFAULT_SETTINGS;
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `SettingsStore` statics.
 */
export namespace SettingsStore {
  /**
   * Options to create a settings store.
   */
  export interface IOptions {
    registry: ISettingRegistry;
    pluginId: string;
    trans: TranslationBundle;
  }
}

namespace Private {
  /**
   * `base` if free, else `base-2`, `base-3`, ...
   */
  export function unusedId(base: string, taken: Set<string>): string {
    if (!taken.has(base)) {
      return base;
    }
    let n = 2;
    while (taken.has(`${base}-${n}`)) {
      n++;
    }
    return `${base}-${n}`;
  }
}
