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
import {
  changedFields,
  removeEntry,
  setMember,
  upsertEntry
} from './settingsEdits';

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

  /**
   * Save a channel (by id): an existing one changes only in the fields
   * that differ from what the sidebar shows of it (other fields, and
   * values the extension ignored, stay as they are in the file); a new
   * one is added at the end.
   */
  async saveChannel(channel: IChannelConfig): Promise<void> {
    const shown = this._settings.channels.find(c => c.id === channel.id);
    await this._edit('channels', current =>
      upsertEntry(
        'channels',
        current,
        DEFAULT_SETTINGS.channels,
        channel.id,
        changedFields(shown ?? {}, channel),
        channel,
        this._trans
      )
    );
  }

  /** Remove a channel (its settings and secrets go with it). */
  async removeChannel(id: string): Promise<void> {
    await this._edit('channels', current =>
      removeEntry(
        'channels',
        current,
        DEFAULT_SETTINGS.channels,
        id,
        this._trans
      )
    );
  }

  /** Save one login, or remove it (`null`); other logins stay as they are. */
  async setAccount<K extends keyof ILmkAccounts>(
    kind: K,
    account: ILmkAccounts[K] | null
  ): Promise<void> {
    await this._edit('accounts', current =>
      setMember('accounts', current, kind, account ?? undefined, this._trans)
    );
  }

  /** Save a remote server (by id) like a channel, or add it at the end. */
  async saveRemoteServer(server: IRemoteServerConfig): Promise<void> {
    const shown = this._settings.remoteServers.find(s => s.id === server.id);
    await this._edit('remoteServers', current =>
      upsertEntry(
        'remoteServers',
        current,
        DEFAULT_SETTINGS.remoteServers,
        server.id,
        changedFields(
          (shown ?? {}) as { [field: string]: unknown },
          server as unknown as { [field: string]: unknown }
        ),
        server as unknown as { [field: string]: unknown },
        this._trans
      )
    );
  }

  /** Remove a remote server (its token goes with it). */
  async removeRemoteServer(id: string): Promise<void> {
    await this._edit('remoteServers', current =>
      removeEntry(
        'remoteServers',
        current,
        DEFAULT_SETTINGS.remoteServers,
        id,
        this._trans
      )
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

  /**
   * Change one key of the settings document. The document is read again
   * from the server first (another tab may have saved since), and the new
   * value is worked out from what the file holds, so nothing else in it
   * changes; when it cannot be read, nothing is written.
   */
  private async _edit(
    key: keyof ILmkSettings,
    change: (current: unknown) => unknown
  ): Promise<void> {
    try {
      await this.ready;
    } catch (reason) {
      throw new Error(
        this._trans.__(
          'Your notification settings could not be read, so they were not changed: %1',
          Private.message(reason)
        )
      );
    }
    let fresh: ISettingRegistry.ISettings;
    try {
      fresh = await this._registry.reload(this._pluginId);
    } catch (reason) {
      throw new Error(
        this._trans.__(
          'Your notification settings could not be read again from the server, so they were not changed: %1',
          Private.message(reason)
        )
      );
    }
    const value = change(fresh.user[key]);
    await this._registry.set(this._pluginId, key, value as PartialJSONValue);
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
   * The text of a failure (the registry throws lists of schema errors).
   */
  export function message(reason: unknown): string {
    if (Array.isArray(reason)) {
      return reason
        .map(error => (error as { message?: string }).message ?? '')
        .filter(Boolean)
        .join('; ');
    }
    return reason instanceof Error ? reason.message : String(reason);
  }

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
