import type { ISessionContext } from '@jupyterlab/apputils';
import type { Notebook } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { DisposableDelegate, type IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { IDeliveryArbiter } from '../delivery/arbiter';
import type { ISharedStorage } from '../delivery/crossTab';
import type { INotebookLookup, RunNotifier } from '../delivery/runNotifier';
import { readNotebookChannels } from '../rules/notebookChannels';
import type { ILmkSettings } from '../settings/lmkSettings';
import type {
  IKernelRelay,
  ILmkNotification,
  IDeliveryResult,
  INotifyWhenDone,
  IRunSummary,
  IRunTracker
} from '../tokens';
import type { KernelRelay } from './kernelRelay';
import { allowsClosedBrowser, kernelChannels } from './relayChannels';
import { relayStatus } from './relayStatus';

/**
 * What the notifier plugin hands the relay once it has made the notifier.
 */
export interface IRelayParts {
  settings: () => ILmkSettings;
  findNotebook: (path: string) => INotebookLookup | null;
  notebookUrl: (path: string) => string;
  /** Send through the lab's channels (arbitrated like any). */
  notify: (notification: ILmkNotification) => Promise<IDeliveryResult[]>;
  /** Notify about a run the kernel told of, as the lab would. */
  handleRun: (summary: IRunSummary, decided: boolean) => Promise<void>;
  /** A Matrix room alias's id, through the user's login. */
  resolveRoom?: (alias: string) => Promise<string>;
}

/**
 * Holds the kernel relay's place in the lab: loads it (with the code it
 * sends into kernels) only once a channel allows delivery with the browser
 * closed, so the embedded default costs nothing; meanwhile it follows the
 * notebooks and says what the relay can do for each.
 */
export class RelayHost implements IKernelRelay {
  constructor(options: RelayHost.IOptions) {
    this._options = options;
    this._holder = Private.holder(options.storage, options.scope);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get offered(): boolean {
    return (
      !!this._options.tracker &&
      !!this._parts?.settings().channels.some(allowsClosedBrowser)
    );
  }

  /** The relay, once loaded (for tests and the wiring). */
  get relay(): KernelRelay | null {
    return this._relay;
  }

  /** This browser's id in the kernel's claims (shared by its tabs). */
  get holder(): string {
    return this._holder;
  }

  /**
   * The notifier plugin's parts; the relay loads as soon as the settings
   * allow (call `settingsChanged` on every change).
   */
  connect(parts: IRelayParts): void {
    this._parts = parts;
    this.settingsChanged();
  }

  /** The settings changed: load the relay if a channel now allows it. */
  settingsChanged(): void {
    const parts = this._parts;
    if (!parts) {
      return;
    }
    if (this._relay) {
      this._relay.settingsChanged();
    } else if (this.offered) {
      void this._load(parts);
    }
    this._changed.emit();
  }

  /** Who else may deliver, for the notifier (the relay, once loaded). */
  arbiter(): IDeliveryArbiter | null {
    return this._relay;
  }

  /** What the run notifier tells the relay (once loaded). */
  runHooks(): RunNotifier.IRelay | null {
    return this._relay;
  }

  /** A mode of a notebook or its cells was set: its runs may change. */
  modesChanged(path: string): void {
    this._relay?.modesChanged(path);
  }

  /** Follow a notebook panel's session while it is open. */
  attach(
    notebook: Notebook,
    sessionContext: ISessionContext,
    path: () => string
  ): IDisposable {
    const entry = {
      notebook,
      sessionContext,
      path,
      attached: null as IDisposable | null
    };
    this._panels.add(entry);
    entry.attached =
      this._relay?.attach(notebook, sessionContext, path) ?? null;
    const changed = () => this._changed.emit();
    sessionContext.kernelChanged.connect(changed, this);
    return new DisposableDelegate(() => {
      this._panels.delete(entry);
      entry.attached?.dispose();
      sessionContext.kernelChanged.disconnect(changed, this);
    });
  }

  status(
    path: string | null,
    sessionContext: ISessionContext | null
  ): IKernelRelay.IStatus {
    if (this._relay) {
      return this._relay.status(sessionContext, path);
    }
    if (!this._options.tracker) {
      return {
        can: false,
        text: this._options.trans.__(
          'Runs are not followed (the run tracker is disabled), so no kernel is handed one.'
        )
      };
    }
    const settings = this._parts?.settings();
    const lookup = path ? this._parts?.findNotebook(path) : null;
    const channels =
      settings && path !== null
        ? kernelChannels(
            settings.channels,
            readNotebookChannels(lookup?.lmkMetadata),
            settings.accounts
          ).map(entry => entry.config.id)
        : [];
    const kernel = sessionContext?.session?.kernel ?? null;
    return relayStatus(
      { channels, kernelName: kernel?.name ?? null, watcher: null },
      this._options.trans
    );
  }

  private async _load(parts: IRelayParts): Promise<void> {
    if (this._loading) {
      return this._loading;
    }
    this._loading = (async () => {
      const { KernelRelay } = await import('./kernelRelay');
      const { options } = this;
      const relay = new KernelRelay({
        settings: parts.settings,
        trans: options.trans,
        whenDone: options.whenDone,
        findNotebook: parts.findNotebook,
        notebookUrl: parts.notebookUrl,
        holder: this._holder,
        notify: parts.notify,
        onEnded: summary => void parts.handleRun(summary, true),
        connectTo: options.connectTo,
        resolveRoom: parts.resolveRoom,
        graceS: options.graceS,
        leaseS: options.leaseS
      });
      this._relay = relay;
      options.tracker?.addBoundaryObserver(relay);
      relay.changed.connect(() => this._changed.emit(), this);
      for (const entry of this._panels) {
        entry.attached = relay.attach(
          entry.notebook,
          entry.sessionContext,
          entry.path
        );
      }
      this._changed.emit();
    })();
    return this._loading;
  }

  private get options(): RelayHost.IOptions {
    return this._options;
  }

  private _options: RelayHost.IOptions;
  private _holder: string;
  private _parts: IRelayParts | null = null;
  private _relay: KernelRelay | null = null;
  private _loading: Promise<void> | null = null;
  private _panels = new Set<{
    notebook: Notebook;
    sessionContext: ISessionContext;
    path: () => string;
    attached: IDisposable | null;
  }>();
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `RelayHost` statics.
 */
export namespace RelayHost {
  /**
   * Options of the relay's host.
   */
  export interface IOptions {
    /** Runs, if the run tracker is on: without it nothing is handed over. */
    tracker: IRunTracker | null;
    /** "Notify when done", if that plugin is on. */
    whenDone: INotifyWhenDone | null;
    trans: TranslationBundle;
    /** `localStorage` in the lab (the holder id is shared by tabs). */
    storage: ISharedStorage | null;
    /** The lab's base URL. */
    scope: string;
    /** Connect to a running kernel by id (`null` if it is gone). */
    connectTo?: (kernelId: string) => Promise<Kernel.IKernelConnection | null>;
    /** See `KernelRelay.IOptions` (tests shorten them). */
    graceS?: number;
    leaseS?: number;
  }
}

namespace Private {
  /**
   * This browser's id for the kernel's claims, kept in storage so that a
   * reloaded page and the other tabs of this lab are the same holder (a
   * reloaded page takes its runs back); another browser is another holder.
   */
  export function holder(
    storage: ISharedStorage | null,
    scope: string
  ): string {
    const key = `jupyterlab-lmk:relay-holder:${scope}`;
    try {
      const stored = storage?.getItem(key);
      if (stored) {
        return stored;
      }
      const fresh = UUID.uuid4();
      storage?.setItem(key, fresh);
      return fresh;
    } catch {
      return UUID.uuid4();
    }
  }
}
