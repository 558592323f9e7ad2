import type { TranslationBundle } from '@jupyterlab/translation';
import { type ISignal, Signal } from '@lumino/signaling';
import type { ILmkSettings } from '../settings/lmkSettings';
import type {
  IActiveRun,
  ILiveStatus,
  ILmkNotification,
  IRunSummary,
  IRunTracker
} from '../tokens';
import {
  liveChannels,
  liveWhere,
  readLiveChannel,
  withLiveChannel
} from './liveMetadata';
import { randomToken } from './commandNonces';
import type { LiveShare } from './liveShare';

/**
 * How long a run of a notebook that shares every run (`lmk.live`) must
 * last before its status is posted: shorter runs post nothing.
 */
export const LIVE_DELAY_MS = 10_000;
/** How long the end-of-run notification waits for the final status. */
export const END_WAIT_MS = 10_000;

/**
 * What the lab's notebooks give the live status.
 */
export interface ILiveNotebooks {
  /** The paths of the open notebooks. */
  openPaths(): string[];
  /** A notebook's `lmk` metadata (undefined if it is not open). */
  lmkMetadata(path: string): unknown;
  /** Write a notebook's `lmk` metadata (`null` removes it). */
  setLmkMetadata(path: string, value: { [key: string]: unknown } | null): void;
  /**
   * A cell's source and the last line of its output, read without copying
   * its whole output; null if it is gone.
   */
  readCell(
    path: string,
    cellId: string
  ): { source: string; lastOutput: string } | null;
  /** Interrupt the kernel of a run (the notebook's kernel connection). */
  interrupt(run: IActiveRun): Promise<void>;
}

/**
 * What the notifier gives the live status once its settings are read.
 */
export interface ILiveConnection {
  /** The current settings (channels, logins, extras). */
  settings: () => ILmkSettings;
  /** The absolute address of a notebook in this lab. */
  notebookUrl: (path: string) => string;
  /** Put a notification in History only (handed to no channel). */
  record: (notification: ILmkNotification) => void;
}

/**
 * The live status of runs in this page: which runs are shared, and which
 * notebooks wait for their next run (or share every run). It listens to
 * run starts and ends, and loads the code that talks to Matrix and ntfy
 * (`liveShare`, `liveStart`) the first time a run is shared.
 *
 * It also tells the run notifier what a shared run needs: to hold its
 * end-of-run notification until the final status is out, and none at all
 * for a run the phone muted.
 */
export class LiveHost implements ILiveStatus {
  constructor(options: LiveHost.IOptions) {
    this._options = options;
    this._trans = options.trans;
    options.runs.runStarted.connect((_, run) => this._runStarted(run));
    options.runs.runEnded.connect((_, summary) => this._runEnded(summary));
  }

  /** Hand over the notifier's parts (the notifier plugin calls this). */
  connect(connection: ILiveConnection): void {
    this._connection = connection;
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get shares(): readonly ILiveStatus.IShare[] {
    const listed: ILiveStatus.IShare[] = [];
    const sharedPaths = new Set<string>();
    for (const entry of this._shares.values()) {
      listed.push(this._describe(entry));
      sharedPaths.add(entry.path);
    }
    for (const [path, waiting] of this._waiting) {
      sharedPaths.add(path);
      listed.push(this._waitingShare(path, waiting.channelId, waiting.id));
    }
    for (const path of this._options.notebooks.openPaths()) {
      const channelId = readLiveChannel(
        this._options.notebooks.lmkMetadata(path)
      );
      if (channelId && !sharedPaths.has(path)) {
        listed.push(this._waitingShare(path, channelId, `every:${path}`));
      }
    }
    return listed;
  }

  channels(): ILiveStatus.IChannelChoice[] {
    const settings = this._connection?.settings();
    return settings
      ? liveChannels(settings.channels).map(config => ({
          id: config.id,
          kind: config.type === 'matrix' ? 'matrix' : 'ntfy',
          label:
            typeof config.name === 'string' && config.name.trim()
              ? config.name.trim()
              : liveWhere(config),
          enabled: config.enabled
        }))
      : [];
  }

  async share(
    path: string,
    channelId: string,
    options: { every?: boolean } = {}
  ): Promise<ILiveStatus.IShare> {
    this._channel(channelId); // Throws for an unknown channel.
    if (options.every) {
      const notebooks = this._options.notebooks;
      notebooks.setLmkMetadata(
        path,
        withLiveChannel(notebooks.lmkMetadata(path), channelId)
      );
    }
    const run = [...this._active.values()].find(
      active => active.notebookPath === path && !active.isDone
    );
    if (run) {
      const existing = [...this._shares.values()].find(
        entry => entry.run.id === run.id
      );
      if (existing) {
        return this._describe(existing);
      }
      return this._describe(await this._start(run, channelId, !!options.every));
    }
    if (!options.every) {
      this._waiting.set(path, { id: randomToken(9), channelId });
    }
    this._changed.emit();
    return (
      this.shares.find(share => share.path === path) ??
      this._waitingShare(path, channelId, randomToken(9))
    );
  }

  async stop(shareId: string): Promise<void> {
    const entry = this._shares.get(shareId);
    const path =
      entry?.path ??
      [...this._waiting].find(([, waiting]) => waiting.id === shareId)?.[0] ??
      (shareId.startsWith('every:') ? shareId.slice('every:'.length) : null);
    if (path && (entry?.every || shareId.startsWith('every:'))) {
      this._clearEvery(path);
    }
    if (path && this._waiting.get(path)?.id === shareId) {
      this._waiting.delete(path);
    }
    if (entry) {
      this._shares.delete(shareId);
      await entry.share?.stop('stopped');
      entry.share?.dispose();
    }
    this._changed.emit();
  }

  /**
   * A notebook was closed: its runs are no longer followed, so their live
   * status says so and stops.
   */
  notebookClosed(path: string): void {
    this._waiting.delete(path);
    for (const [id, entry] of this._shares) {
      if (entry.path === path) {
        this._shares.delete(id);
        void entry.share?.stop('closed');
      }
    }
    for (const [id, run] of this._active) {
      if (run.notebookPath === path) {
        this._active.delete(id);
      }
    }
    this._changed.emit();
  }

  /** Whether the phone muted this run: no notification about it. */
  isMuted(runId: string): boolean {
    for (const entry of this._shares.values()) {
      if (entry.run.id === runId && entry.share?.muted) {
        return true;
      }
    }
    return this._mutedEnded.has(runId);
  }

  /**
   * Resolves once an ended run's final status is out (at most
   * `END_WAIT_MS`), so that its end-of-run notification follows it.
   */
  async ended(runId: string): Promise<void> {
    const ending = this._ending.get(runId);
    if (!ending) {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      ending,
      new Promise<void>(resolve => {
        timer = setTimeout(resolve, this._options.endWaitMs ?? END_WAIT_MS);
      })
    ]);
    clearTimeout(timer);
  }

  /** Stop every share without a word (the page goes away). */
  dispose(): void {
    for (const entry of this._shares.values()) {
      entry.share?.dispose();
    }
    this._shares.clear();
    for (const timer of this._delayed.values()) {
      clearTimeout(timer);
    }
    this._delayed.clear();
  }

  private _runStarted(run: IActiveRun): void {
    this._active.set(run.id, run);
    const path = run.notebookPath;
    const waiting = this._waiting.get(path);
    if (waiting) {
      this._waiting.delete(path);
      void this._start(run, waiting.channelId, false, waiting.id).catch(
        () => undefined
      );
      return;
    }
    // One metadata read per run: nothing more for notebooks not shared.
    const channelId = readLiveChannel(
      this._options.notebooks.lmkMetadata(path)
    );
    if (channelId) {
      const timer = setTimeout(() => {
        this._delayed.delete(run.id);
        if (!run.isDone && this._active.has(run.id)) {
          void this._start(run, channelId, true).catch(() => undefined);
        }
      }, this._options.liveDelayMs ?? LIVE_DELAY_MS);
      this._delayed.set(run.id, timer);
    }
  }

  private _runEnded(summary: IRunSummary): void {
    this._active.delete(summary.id);
    const timer = this._delayed.get(summary.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this._delayed.delete(summary.id);
    }
    for (const [id, entry] of this._shares) {
      if (entry.run.id !== summary.id) {
        continue;
      }
      const ending = (entry.starting ?? Promise.resolve())
        .then(() => entry.share?.end(summary))
        .catch(() => undefined)
        .then(() => {
          if (entry.share?.muted) {
            this._mutedEnded.add(summary.id);
          }
        });
      this._ending.set(summary.id, ending);
      void ending.then(() => {
        this._ending.delete(summary.id);
        // The share stays listed while it answers late commands.
        entry.share?.changed.connect(() => {
          if (entry.share?.state === 'closed' && this._shares.get(id)) {
            this._shares.delete(id);
            this._mutedEnded.delete(summary.id);
            this._changed.emit();
          }
        });
      });
    }
  }

  private async _start(
    run: IActiveRun,
    channelId: string,
    every: boolean,
    id = randomToken(9)
  ): Promise<Private.IEntry> {
    const connection = this._connection;
    if (!connection) {
      throw new Error(
        this._trans.__('Notifications are not set up yet: try again.')
      );
    }
    const config = this._channel(channelId);
    const entry: Private.IEntry = {
      id,
      path: run.notebookPath,
      channelId,
      kind: config.type === 'matrix' ? 'matrix' : 'ntfy',
      every,
      run,
      share: null,
      starting: null
    };
    // Each share listens with a request of its own held open, and a browser
    // keeps at most six open to one server (HTTP/1.1): runs that ended stop
    // waiting for late commands once another run is shared, so they never
    // hold up its status, its commands or other deliveries.
    for (const other of this._shares.values()) {
      if (other.share?.state === 'ended') {
        other.share.dispose();
      }
    }
    this._shares.set(id, entry);
    this._changed.emit();
    const starting = (async () => {
      const { openLiveShare } = await import('./liveStart');
      entry.share = await openLiveShare({
        id,
        run,
        config,
        settings: connection.settings,
        notebookUrl: connection.notebookUrl,
        readCell: cellId =>
          this._options.notebooks.readCell(run.notebookPath, cellId),
        interrupt: () => this._options.notebooks.interrupt(run),
        record: (event, at) =>
          connection.record({
            id: `live:${id}:${at}:${this._recorded++}`,
            event,
            target: { path: run.notebookPath }
          }),
        trans: this._trans,
        now: this._options.now
      });
      entry.share.changed.connect(() => this._changed.emit());
    })();
    entry.starting = starting;
    try {
      await starting;
    } catch (reason) {
      if (this._shares.get(id) === entry) {
        this._shares.delete(id);
      }
      this._changed.emit();
      const message = reason instanceof Error ? reason.message : String(reason);
      this._options.warn(
        this._trans.__('The run could not be shared live: %1', message)
      );
      throw new Error(message);
    } finally {
      entry.starting = null;
    }
    this._changed.emit();
    return entry;
  }

  /** The configured Matrix or ntfy channel with this id, or an error. */
  private _channel(channelId: string) {
    const settings = this._connection?.settings();
    const config = settings
      ? liveChannels(settings.channels).find(c => c.id === channelId)
      : undefined;
    if (!config) {
      throw new Error(
        this._trans.__(
          'There is no Matrix or ntfy channel with id "%1" to share a run live.',
          channelId
        )
      );
    }
    return config;
  }

  private _clearEvery(path: string): void {
    const notebooks = this._options.notebooks;
    const metadata = notebooks.lmkMetadata(path);
    if (readLiveChannel(metadata) !== null) {
      notebooks.setLmkMetadata(path, withLiveChannel(metadata, null));
    }
  }

  private _describe(entry: Private.IEntry): ILiveStatus.IShare {
    const share = entry.share;
    const state = share?.state ?? 'starting';
    return {
      id: entry.id,
      path: entry.path,
      channelId: entry.channelId,
      kind: entry.kind,
      where: share?.where ?? this._channelLabel(entry.channelId),
      state: state === 'closed' ? 'ended' : state,
      every: entry.every,
      muted: share?.muted ?? false,
      runId: entry.run.id,
      problem: share?.problem ?? null
    };
  }

  private _waitingShare(
    path: string,
    channelId: string,
    id: string
  ): ILiveStatus.IShare {
    const config = this._connection
      ? liveChannels(this._connection.settings().channels).find(
          c => c.id === channelId
        )
      : undefined;
    return {
      id,
      path,
      channelId,
      kind: config?.type === 'ntfy' ? 'ntfy' : 'matrix',
      where: this._channelLabel(channelId),
      state: 'waiting',
      every: id.startsWith('every:'),
      muted: false,
      runId: null,
      problem: config
        ? null
        : this._trans.__('There is no channel "%1" here.', channelId)
    };
  }

  private _channelLabel(channelId: string): string {
    const config = this._connection
      ?.settings()
      .channels.find(c => c.id === channelId);
    return config ? liveWhere(config) : channelId;
  }

  private _options: LiveHost.IOptions;
  private _trans: TranslationBundle;
  private _connection: ILiveConnection | null = null;
  private _active = new Map<string, IActiveRun>();
  private _shares = new Map<string, Private.IEntry>();
  private _waiting = new Map<string, { id: string; channelId: string }>();
  private _delayed = new Map<string, ReturnType<typeof setTimeout>>();
  private _ending = new Map<string, Promise<void>>();
  private _mutedEnded = new Set<string>();
  private _recorded = 0;
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `LiveHost` statics.
 */
export namespace LiveHost {
  /**
   * Options of the live status host.
   */
  export interface IOptions {
    runs: IRunTracker;
    notebooks: ILiveNotebooks;
    trans: TranslationBundle;
    /** Tell the user something went wrong (a toast in the lab). */
    warn: (message: string) => void;
    /** The clock; injectable for tests. */
    now?: () => number;
    /** Delay before a run shared through `lmk.live` posts its status. */
    liveDelayMs?: number;
    /** Longest wait of the end-of-run notification for the final status. */
    endWaitMs?: number;
  }
}

namespace Private {
  /**
   * One share: its run and, once its code has loaded and its status is
   * posted, the `LiveShare`.
   */
  export interface IEntry {
    id: string;
    path: string;
    channelId: string;
    kind: 'matrix' | 'ntfy';
    every: boolean;
    run: IActiveRun;
    share: LiveShare | null;
    starting: Promise<void> | null;
  }
}
