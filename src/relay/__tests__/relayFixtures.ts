/**
 * A lab "page" for the kernel relay's integration tests: a notebook on a
 * real kernel, the real tracker, notifier (with the real webhook channel and
 * outbox), run notifier and relay, wired as the plugins wire them. Pages of
 * one "browser" share a storage (its localStorage); closing a page drops
 * its kernel connection, as a closed tab does, and leaves the kernel running.
 */
import type { SessionContext } from '@jupyterlab/apputils';
import { type Notebook, NotebookActions } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import {
  createNotebook,
  notebookContent,
  startKernel
} from '../../__tests__/kernelFixtures';
import { WebhookChannel } from '../../delivery/channels/webhookChannel';
import { LocalLocks, type ISharedStorage } from '../../delivery/crossTab';
import { Notifier } from '../../delivery/notifier';
import { RunNotifier } from '../../delivery/runNotifier';
import { notebookLookup } from '../../notebook/notebookLookup';
import { NotifyWhenDone } from '../../rules/notifyWhenDone';
import {
  DEFAULT_SETTINGS,
  type ILmkSettings
} from '../../settings/lmkSettings';
import type {
  IChannelConfig,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { waitUntil } from '../../__tests__/waitUntil';
import { RunTracker } from '../../tracking/runTracker';
import { RelayHost } from '../relayHost';

export const trans = nullTranslator.load('jupyterlab_lmk');

/**
 * A browser's local storage, shared by its pages (tabs, reloads).
 */
export class MemoryStorage implements ISharedStorage {
  getItem(key: string): string | null {
    return this._items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this._items.set(key, value);
  }
  removeItem(key: string): void {
    this._items.delete(key);
  }
  private _items = new Map<string, string>();
}

/**
 * One browser: its storage and its locks, shared by its pages.
 */
export class Browser {
  readonly storage = new MemoryStorage();
  readonly locks = new LocalLocks();
}

/**
 * Options of a page.
 */
export interface IPageOptions {
  browser: Browser;
  /** The notebook's path on the server (pages of one notebook share it). */
  path: string;
  /** The notebook's cells (every page shows the same). */
  sources: string[];
  /** The kernel: 'ipython' (ipykernel 7) or 'ipykernel6'. */
  kernelName: string;
  channels: IChannelConfig[];
  graceS?: number;
  leaseS?: number;
  settings?: Partial<ILmkSettings>;
  /** How far ahead this page's outbox clock is (time passed since). */
  clockOffsetMs?: number;
  /** Whether the user is at this page ("only when I'm away" holds). */
  present?: boolean;
}

/**
 * A page of the lab with one notebook open.
 */
export class RelayPage {
  static async open(options: IPageOptions): Promise<RelayPage> {
    // A page opened during a run does not wait for the kernel's info.
    const session = await startKernel(options.kernelName, options.path, false);
    return new RelayPage(options, session);
  }

  private constructor(
    options: IPageOptions,
    readonly session: SessionContext
  ) {
    const { browser } = options;
    this.settings = {
      ...DEFAULT_SETTINGS,
      threshold: 0,
      floodLimit: 0,
      ...options.settings,
      channels: options.channels
    };
    this.notebook = createNotebook(session, notebookContent(options.sources));
    this.tracker = new RunTracker();
    const path = options.path;
    this.tracker.watch(this.notebook, session, () => path);
    this.whenDone = new NotifyWhenDone();
    this.host = new RelayHost({
      tracker: this.tracker,
      whenDone: this.whenDone,
      trans,
      storage: browser.storage,
      scope: 'test',
      graceS: options.graceS,
      leaseS: options.leaseS
    });
    this.notifier = new Notifier({
      channels: () => this.settings.channels,
      trans,
      delivery: {
        storage: browser.storage,
        scope: 'test',
        locks: browser.locks,
        now: () => Date.now() + (options.clockOffsetMs ?? 0)
      },
      waitsForAway: config => !!config.awayOnly && !!options.present,
      arbiter: () => this.host.arbiter()
    });
    this.notifier.registerChannelType(new WebhookChannel({ trans }));
    this.notifier.delivered.connect((_, delivered) =>
      this.delivered.push(delivered)
    );
    const findNotebook = () =>
      notebookLookup({
        model: this.notebook.model,
        sessionContext: this.session
      });
    this.runNotifier = new RunNotifier({
      runs: this.tracker,
      notifier: this.notifier,
      settings: () => this.settings,
      notebookUrl: p => `http://127.0.0.1:8888/lab/tree/${p}`,
      findNotebook,
      whenDone: this.whenDone,
      trans,
      relay: () => this.host.runHooks()
    });
    this._attached = this.host.attach(this.notebook, session, () => path);
    this.host.connect({
      settings: () => this.settings,
      findNotebook,
      notebookUrl: p => `http://127.0.0.1:8888/lab/tree/${p}`,
      notify: notification => this.notifier.notify(notification),
      handleRun: (summary, decided) => this.runNotifier.handle(summary, decided)
    });
  }

  readonly notebook: Notebook;
  readonly tracker: RunTracker;
  readonly whenDone: NotifyWhenDone;
  readonly host: RelayHost;
  readonly notifier: Notifier;
  readonly runNotifier: RunNotifier;
  settings: ILmkSettings;
  /** What the notifier reported, in order. */
  readonly delivered: {
    notification: ILmkNotification;
    results: IDeliveryResult[];
  }[] = [];

  /**
   * Until the relay is loaded and knows whether the kernel has the watcher
   * (a page's first run is relayed only then).
   */
  async ready(): Promise<void> {
    await waitUntil(() => {
      const kernel = this.session.session?.kernel;
      const state = kernel ? this.host.relay?.kernels.get(kernel) : undefined;
      return !!state && state.watcher !== 'unknown';
    }, 30_000);
  }

  /** Run all cells (as the lab's Run All), without waiting for the end. */
  runAll(): Promise<boolean> {
    return NotebookActions.runAll(this.notebook, this.session);
  }

  /** Close the page: its kernel connection goes, the kernel stays. */
  close(): void {
    this._attached.dispose();
    this.notifier.dispose();
    this.tracker.dispose();
    this.notebook.dispose();
    this.session.session?.kernel?.dispose();
    this.session.dispose();
  }

  private _attached: { dispose(): void };
}

/** The webhook channel a page uses, to a loopback receiver. */
export function webhookChannel(url: string): IChannelConfig {
  return {
    id: 'hook',
    type: 'webhook',
    enabled: true,
    url,
    awayOnly: false
  };
}
