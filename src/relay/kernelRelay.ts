import type { ISessionContext } from '@jupyterlab/apputils';
import type { Notebook } from '@jupyterlab/notebook';
import type { Kernel } from '@jupyterlab/services';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import { DisposableDelegate, type IDisposable } from '@lumino/disposable';
import { type ISignal, Signal } from '@lumino/signaling';
import type { Arbitration, IDeliveryArbiter } from '../delivery/arbiter';
import type { INotebookLookup } from '../delivery/runNotifier';
import { emailStrings } from '../delivery/channels/emailWords';
import { readTitlePrefix } from '../messages/eventExtras';
import { readReport } from '../report/reportExpressions';
import { readNotebookChannels } from '../rules/notebookChannels';
import { readMode } from '../rules/notifyMode';
import type { ILmkSettings } from '../settings/lmkSettings';
import type {
  IActiveRun,
  IChannelConfig,
  IDeliveryResult,
  ILmkEvent,
  ILmkNotification,
  IKernelRelay,
  INotifyWhenDone,
  IRunSummary,
  IRunTracker
} from '../tokens';
import { KERNEL_RELAY } from './kernel/sources';
import {
  allowsClosedBrowser,
  KERNEL_CHANNEL_TYPES,
  kernelAccounts,
  kernelChannels
} from './relayChannels';
import { KernelLink } from './kernelLink';
import { type IKernelState, RelayKernels } from './relayKernels';
import {
  type IClaimReply,
  type IEndedRun,
  type IHelloReply,
  type IKernelRecord,
  type IRelayChannel,
  readClaim,
  type RelayPush
} from './relayProtocol';
import { relayRule, requestModes } from './relayRule';
import { relayStrings } from './relayStrings';
import { relayStatus } from './relayStatus';
import {
  kernelNote,
  kernelResult,
  kernelSending,
  withNote
} from './relayWords';

/** How long the kernel waits, after a run's end, for a page to claim it. */
export const GRACE_S = 10;
/** How long a page's claim holds without news before the kernel takes over. */
export const LEASE_S = 120;
/** How long one HTTP request of the kernel may take. */
export const KERNEL_REQUEST_TIMEOUT_S = 15;

/**
 * "Tell me even when the browser is closed": the page's side of the
 * kernel relay (docs/kernel-relay.md).
 *
 * For each run of an IPython kernel whose notebook has a channel that
 * allows it, the relay installs the watcher in the kernel (once per
 * kernel process), marks the run's start in the kernel's queue, then hands
 * the watcher the run's id, its rule and the channels' settings. At the
 * run's end the page claims it, so the kernel stands down; a page that is
 * gone does not, and the kernel sends it itself. Every delivery of the lab
 * that the kernel could also make is claimed first (`arbitrate`, and
 * `beforeAttempt` for the outbox's retries), so each is made once; what the
 * kernel sent while no page was open is shown in the history and a toast.
 */
export class KernelRelay
  implements IRunTracker.IBoundaryObserver, IDeliveryArbiter, IDisposable
{
  constructor(options: KernelRelay.IOptions) {
    this._options = options;
    this._trans = options.trans;
    this._kernels = new RelayKernels({
      hello: state => ({
        holder: options.holder,
        client: state.kernel.clientId
      }),
      onHello: (state, hello) => this._onHello(state, hello),
      onPush: (state, push) => this._onPush(state, push)
    });
    this._kernels.changed.connect(() => this._changed.emit(), this);
    options.whenDone?.changed.connect((_, path) => this._update(path), this);
  }

  /** Emitted when what the relay can do for a notebook may have changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The kernels the relay follows. */
  get kernels(): RelayKernels {
    return this._kernels;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /**
   * Follow a notebook's session: its kernel is asked about the watcher
   * (and this page subscribes to its news) while a channel allows it.
   */
  attach(
    notebook: Notebook,
    sessionContext: ISessionContext,
    path: () => string
  ): IDisposable {
    const entry = { sessionContext, path };
    this._notebooks.set(notebook, entry);
    const follow = () => {
      const kernel = sessionContext.session?.kernel;
      if (kernel && this._active()) {
        this._kernels.follow(kernel);
      }
      this._changed.emit();
    };
    sessionContext.kernelChanged.connect(follow, this);
    const model = notebook.model;
    const onMetadata = () => this._update(path());
    model?.metadataChanged.connect(onMetadata, this);
    follow();
    return new DisposableDelegate(() => {
      sessionContext.kernelChanged.disconnect(follow, this);
      model?.metadataChanged.disconnect(onMetadata, this);
      if (this._notebooks.get(notebook) === entry) {
        this._notebooks.delete(notebook);
      }
    });
  }

  /**
   * The settings changed: follow the notebooks' kernels if a channel
   * now allows it, and tell the runs going on.
   */
  settingsChanged(): void {
    if (this._active()) {
      for (const { sessionContext } of this._notebooks.values()) {
        const kernel = sessionContext.session?.kernel;
        if (kernel) {
          this._kernels.follow(kernel);
        }
      }
    }
    for (const path of new Set([...this._runs.values()].map(r => r.path))) {
      this._update(path);
    }
    this._changed.emit();
  }

  /**
   * A mode of a notebook or of its cells was set (by the bells or a
   * command): tell its runs going on.
   */
  modesChanged(path: string): void {
    this._update(path);
  }

  // -- the run's boundaries (the tracker) -------------------------------

  beforeRun(notebook: Notebook, sessionContext: ISessionContext): void {
    const kernel = sessionContext.session?.kernel;
    const entry = this._notebooks.get(notebook);
    if (!kernel || !entry || !this._active()) {
      return;
    }
    const state = this._kernels.follow(kernel);
    if (
      state.watcher === 'unknown' ||
      state.watcher === 'other' ||
      state.watcher === 'refused' ||
      state.watcher === 'silent' ||
      !this._handed(entry.path()).length
    ) {
      // Not known to be an IPython kernel yet (the first run right after
      // the kernel started), or it cannot: this run is the page's alone.
      return;
    }
    // Its request goes out now, ahead of the marker and the run's cells.
    this._kernels.install(state, KERNEL_RELAY);
    const token = UUID.uuid4();
    try {
      state.link.mark('begin', { token, client: kernel.clientId });
    } catch {
      return;
    }
    this._bursts.set(notebook, { token, state });
  }

  sealed(notebook: Notebook, sealed: IRunTracker.ISealedRun | null): void {
    const burst = this._bursts.get(notebook);
    this._bursts.delete(notebook);
    if (!burst) {
      return;
    }
    const { state, token } = burst;
    if (!sealed) {
      // Nothing was sent after the marker: the kernel drops it.
      void state.link
        .request('seal', { token, run: token, cells: 0 })
        .catch(() => undefined);
      return;
    }
    const { run, requests } = sealed;
    const entry: Private.IRelayedRun = {
      state,
      path: run.notebookPath,
      active: run,
      sealed: Promise.resolve()
    };
    this._runs.set(run.id, entry);
    // This page tells of it: the kernel's news of its end is not for it.
    this._adopted.add(`run:${run.id}`);
    this._prune();
    entry.sealed = this._seal(entry, token, sealed.positions(), requests);
  }

  // -- the end of a run (the run notifier) ------------------------------

  /**
   * The run notifier decided whether a run notifies: if the kernel was
   * given the run, claim it now (the page tells), or let the kernel go.
   */
  decided(runId: string, notify: boolean): void {
    const entry = this._runs.get(runId);
    if (!entry) {
      return;
    }
    this._runs.delete(runId);
    const id = `run:${runId}`;
    // After the seal: the kernel must know the run to be told of it.
    if (notify) {
      this._claims.set(
        id,
        entry.sealed.then(() => this._claim(entry.state, id))
      );
    } else {
      void entry.sealed.then(() => this._release(entry.state, id));
    }
  }

  /**
   * The run notifier is done with a run: if a claim on it was not used
   * (the flood guard held its notification, or the page decided not to
   * tell), let the kernel know there is nothing left for it.
   */
  handled(runId: string): void {
    const id = `run:${runId}`;
    const pending = this._claims.get(id);
    if (!pending) {
      return;
    }
    this._claims.delete(id);
    void pending.then(claim => {
      const lease = this._leases.get(id);
      if (claim?.granted && lease) {
        this._leases.delete(id);
        void this._tell(lease, 'done', {
          id,
          holder: this._options.holder,
          final: true
        });
      }
    });
  }

  // -- deliveries (the notifier) -----------------------------------------

  async arbitrate(notification: ILmkNotification): Promise<Arbitration> {
    const id = notification.id;
    const surfaced = this._surfacing.get(id);
    if (surfaced) {
      return {
        send: 'rest',
        handled: surfaced.results.map(r => kernelResult(r, this._trans)),
        remote: false
      };
    }
    if (!Private.isRelayed(id)) {
      return { send: 'all' };
    }
    const pending = this._claims.get(id);
    this._claims.delete(id);
    let claim: IClaimReply | null;
    if (pending) {
      claim = await pending;
    } else {
      const state = this._stateOf(notification.event);
      claim = state ? await this._claim(state, id) : null;
    }
    if (!claim?.known || claim.granted) {
      return { send: 'all' };
    }
    if (claim.by === 'page') {
      return {
        send: 'none',
        detail: this._trans.__(
          'Delivered by another page open on this notebook.'
        )
      };
    }
    const results = claim.results ?? [];
    const handled = claim.sending
      ? (claim.channels ?? []).map(channelId =>
          kernelSending(channelId, this._trans)
        )
      : results.map(result => kernelResult(result, this._trans));
    return {
      send: 'rest',
      handled,
      remote: true,
      notification: {
        ...notification,
        event: withNote(
          notification.event,
          kernelNote(results, !!claim.sending, this._trans)
        )
      }
    };
  }

  async beforeAttempt(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult | null> {
    const id = notification.id;
    const kernelId = notification.event.kernel?.id;
    if (
      !Private.isRelayed(id) ||
      !kernelId ||
      !KERNEL_CHANNEL_TYPES.has(config.type)
    ) {
      return null;
    }
    const lease = this._leases.get(id);
    const now = (this._options.now ?? Date.now)();
    if (lease && lease.until - now > (this._leaseS * 1000) / 2) {
      return null;
    }
    const reached = lease ? null : await this._reach(kernelId);
    const state = lease?.state ?? reached?.state;
    if (!state) {
      // The kernel is gone (or unreachable): nobody else can send it.
      return null;
    }
    let claim: IClaimReply | null;
    try {
      claim = await this._claim(state, id);
    } finally {
      reached?.done();
    }
    if (!claim?.known || claim.granted) {
      return null;
    }
    if (claim.by === 'page') {
      return {
        channelId: config.id,
        status: 'skipped',
        detail: this._trans.__(
          'Delivered by another page open on this notebook.'
        )
      };
    }
    const result = claim.results?.find(r => r.channelId === config.id);
    if (result) {
      return kernelResult(result, this._trans);
    }
    if (claim.sending && claim.channels?.includes(config.id)) {
      return kernelSending(config.id, this._trans);
    }
    return null;
  }

  delivered(notification: ILmkNotification, results: IDeliveryResult[]): void {
    const lease = this._leases.get(notification.id);
    if (!lease) {
      return;
    }
    for (const result of results) {
      if (result.status !== 'pending' && lease.channels.has(result.channelId)) {
        lease.done.add(result.channelId);
      }
    }
    const final = [...lease.channels].every(c => lease.done.has(c));
    if (final) {
      this._leases.delete(notification.id);
    }
    void this._tell(lease, 'done', {
      id: notification.id,
      holder: this._options.holder,
      channels: [...lease.done],
      final
    });
  }

  /**
   * What the relay can do for a notebook now, for the bell menu and the
   * side panel.
   */
  status(
    sessionContext: ISessionContext | null,
    path: string | null
  ): IKernelRelay.IStatus {
    const kernel = sessionContext?.session?.kernel ?? null;
    const state = kernel ? this._kernels.get(kernel) : undefined;
    return relayStatus(
      {
        channels: path === null ? [] : this._handed(path).map(c => c.config.id),
        kernelName: kernel?.name ?? null,
        watcher: state?.watcher ?? null,
        reason: state?.reason,
        detail: state?.detail
      },
      this._trans
    );
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._kernels.dispose();
    this._notebooks.clear();
    Signal.clearData(this);
  }

  // -- private -----------------------------------------------------------

  /** Whether any channel lets the kernel deliver. */
  private _active(): boolean {
    return this._options.settings().channels.some(allowsClosedBrowser);
  }

  /** The channels a notebook's kernel would be handed. */
  private _handed(path: string) {
    const config = this._options.settings();
    const lookup = this._options.findNotebook(path);
    return kernelChannels(
      config.channels,
      readNotebookChannels(lookup?.lmkMetadata),
      config.accounts
    );
  }

  /** What the kernel is told of a run: its rule, channels and context. */
  private async _fields(
    state: IKernelState,
    path: string,
    active: IActiveRun,
    requests: readonly { metadata: unknown }[] | null
  ): Promise<{ [key: string]: unknown }> {
    const config = this._options.settings();
    const lookup = this._options.findNotebook(path);
    const lmkMetadata = lookup?.lmkMetadata;
    const cellModes = requests
      ? requestModes(requests, readMode)
      : (lookup?.cellsLmkMetadata(active.cellIds) ?? []).map(readMode);
    const channels = this._handed(path);
    const accounts = kernelAccounts(channels, config.accounts);
    return {
      rule: relayRule({
        threshold: config.threshold,
        globalMode: config.mode,
        notebookMode: readMode(lmkMetadata),
        cellModes,
        armed: this._options.whenDone?.isArmed(path) ?? false
      }),
      channels,
      report: readReport(lmkMetadata),
      flood: config.floodLimit,
      retry_s: config.retryMinutes * 60,
      context: {
        notebook_url: this._options.notebookUrl(path),
        notebook_path: path,
        kernel: active.kernel,
        title_prefix: readTitlePrefix(lmkMetadata),
        include_source: config.includeSource,
        output_lines: 0,
        accounts,
        matrix_rooms: accounts.matrix ? await this._rooms(channels) : {},
        ...(channels.some(c => c.config.type === 'email')
          ? { email_strings: emailStrings(this._trans) }
          : {}),
        // Once per kernel: the watcher keeps them for the next runs.
        ...(state.strings ? {} : { strings: relayStrings(this._trans) })
      }
    };
  }

  private async _seal(
    entry: Private.IRelayedRun,
    token: string,
    positions: number[],
    requests: readonly { metadata: unknown }[]
  ): Promise<void> {
    const { active, path, state } = entry;
    const fields = await this._fields(state, path, active, requests);
    // The watcher may be being installed by a request queued just before.
    await state.installed;
    try {
      const reply = await state.link.request('seal', {
        ...fields,
        token,
        run: active.id,
        cells: requests.length,
        positions,
        notebook: { path, name: path.split('/').pop() ?? path },
        kernel: active.kernel,
        grace_s: this._options.graceS ?? GRACE_S,
        lease_s: this._leaseS,
        request_timeout_s: KERNEL_REQUEST_TIMEOUT_S
      });
      if (reply) {
        state.strings = true;
      }
    } catch {
      // The kernel did not answer: at its end the page claims anyway.
    }
  }

  /** Tell the kernel what changed for a notebook's runs going on. */
  private _update(path: string): void {
    for (const [runId, entry] of this._runs) {
      if (entry.path !== path || entry.active.isDone) {
        continue;
      }
      entry.sealed = entry.sealed
        .then(() => this._fields(entry.state, path, entry.active, null))
        .then(fields =>
          entry.state.link.request('update', { ...fields, run: runId })
        )
        .then(
          () => undefined,
          () => undefined
        );
    }
  }

  /**
   * A request about a lease, through its connection or, if that one was
   * made for a claim and is closed, a new one.
   */
  private async _tell(
    lease: Private.ILease,
    op: string,
    fields: { [key: string]: unknown }
  ): Promise<void> {
    const reached = lease.state.kernel.isDisposed
      ? await this._reach(lease.state.kernel.id)
      : { state: lease.state, done: () => undefined };
    if (!reached) {
      return;
    }
    try {
      await reached.state.link.request(op, fields);
    } catch {
      // Unanswered: the lease runs out and the kernel decides.
    } finally {
      reached.done();
    }
  }

  /** Nothing left for the kernel to send of this notification. */
  private async _release(state: IKernelState, id: string): Promise<void> {
    try {
      await state.link.request('done', {
        id,
        holder: this._options.holder,
        final: true
      });
    } catch {
      // The kernel's own rule decides, as if the page had gone.
    }
  }

  /** Matrix room aliases resolved to ids, for the kernel (cached). */
  private async _rooms(
    channels: readonly IRelayChannel[]
  ): Promise<{ [alias: string]: string }> {
    const rooms: { [alias: string]: string } = {};
    for (const { config } of channels) {
      const room = typeof config.roomId === 'string' ? config.roomId : '';
      if (config.type !== 'matrix' || !room.startsWith('#')) {
        continue;
      }
      if (!this._roomIds.has(room) && this._options.resolveRoom) {
        try {
          this._roomIds.set(room, await this._options.resolveRoom(room));
        } catch {
          continue;
        }
      }
      const id = this._roomIds.get(room);
      if (id) {
        rooms[room] = id;
      }
    }
    return rooms;
  }

  private async _claim(
    state: IKernelState,
    id: string
  ): Promise<IClaimReply | null> {
    let reply: { [key: string]: unknown } | null;
    try {
      reply = await state.link.request('claim', {
        id,
        holder: this._options.holder
      });
    } catch {
      return null;
    }
    if (!reply) {
      return null;
    }
    const claim = readClaim(reply);
    if (claim.known && claim.granted) {
      const now = (this._options.now ?? Date.now)();
      this._leases.set(id, {
        state,
        until: now + (claim.leaseS ?? this._leaseS) * 1000,
        channels: new Set(claim.channels ?? []),
        done: new Set()
      });
    }
    return claim;
  }

  /** The state of this page's connection to the kernel of an event. */
  private _stateOf(event: ILmkEvent): IKernelState | null {
    const kernelId = event.kernel?.id;
    return kernelId ? (this._kernels.byId(kernelId) ?? null) : null;
  }

  /**
   * A connection to a kernel, for a delivery that outlived its page: an
   * open one, or one made for the purpose if the kernel still runs (closed
   * again with `done`).
   */
  private async _reach(
    kernelId: string
  ): Promise<{ state: IKernelState; done: () => void } | null> {
    const open = this._kernels.byId(kernelId);
    if (open) {
      return { state: open, done: () => undefined };
    }
    let kernel: Kernel.IKernelConnection | null = null;
    try {
      kernel = (await this._options.connectTo?.(kernelId)) ?? null;
    } catch {
      kernel = null;
    }
    if (!kernel) {
      return null;
    }
    const connection = kernel;
    const state: IKernelState = {
      kernel: connection,
      link: new KernelLink(connection),
      watcher: 'unknown',
      reason: null,
      detail: null,
      version: null,
      installed: Promise.resolve(),
      strings: false
    };
    return { state, done: () => connection.dispose() };
  }

  private _onHello(state: IKernelState, hello: IHelloReply): void {
    for (const ended of hello.ended) {
      this._adopt(state, ended);
    }
    void this._surface(state, hello.records);
  }

  private _onPush(state: IKernelState, push: RelayPush): void {
    if (push.op === 'ended') {
      this._adopt(state, push.ended);
    } else {
      void this._surface(state, [push.record]);
    }
  }

  /**
   * A run ended that this page did not run (it was reloaded, or another
   * page ran it): claim it at once, then let the run notifier tell.
   */
  private _adopt(state: IKernelState, ended: IEndedRun): void {
    if (!ended.notify || this._adopted.has(ended.id)) {
      return;
    }
    const summary = ended.summary as IRunSummary;
    this._adopted.add(ended.id);
    this._claims.set(ended.id, this._claim(state, ended.id));
    this._options.onEnded(summary);
  }

  /**
   * Show what the kernel sent while no page was open: in the history, and
   * in a toast that says so; then tell the kernel it was seen.
   */
  private async _surface(
    state: IKernelState,
    records: IKernelRecord[]
  ): Promise<void> {
    const seen: string[] = [];
    for (const record of records) {
      const event = record.event as ILmkEvent | null;
      if (!event || typeof event !== 'object' || !event.title) {
        continue;
      }
      this._surfacing.set(record.id, record);
      try {
        await this._options.notify({
          id: record.id,
          event: withNote(
            event,
            kernelNote(record.results, false, this._trans)
          ),
          target: record.path
            ? { path: record.path, cellId: record.cellId ?? undefined }
            : null
        });
      } finally {
        this._surfacing.delete(record.id);
      }
      seen.push(record.id);
    }
    if (seen.length) {
      void state.link
        .request('ack', { holder: this._options.holder, ids: seen })
        .catch(() => undefined);
    }
  }

  /** Forget runs that never ended here (bounded). */
  private _prune(): void {
    if (this._runs.size <= Private.RUNS_KEPT) {
      return;
    }
    for (const [id, entry] of this._runs) {
      if (this._runs.size <= Private.RUNS_KEPT) {
        break;
      }
      if (entry.active.isDone) {
        this._runs.delete(id);
      }
    }
    while (this._adopted.size > Private.RUNS_KEPT) {
      this._adopted.delete(this._adopted.values().next().value as string);
    }
  }

  private get _leaseS(): number {
    return this._options.leaseS ?? LEASE_S;
  }

  private _options: KernelRelay.IOptions;
  private _trans: TranslationBundle;
  private _kernels: RelayKernels;
  private _notebooks = new Map<
    Notebook,
    { sessionContext: ISessionContext; path: () => string }
  >();
  private _bursts = new Map<Notebook, { token: string; state: IKernelState }>();
  private _runs = new Map<string, Private.IRelayedRun>();
  private _adopted = new Set<string>();
  private _claims = new Map<string, Promise<IClaimReply | null>>();
  private _leases = new Map<string, Private.ILease>();
  private _surfacing = new Map<string, IKernelRecord>();
  private _roomIds = new Map<string, string>();
  private _isDisposed = false;
  private _changed = new Signal<this, void>(this);
}

/**
 * The namespace for `KernelRelay` statics.
 */
export namespace KernelRelay {
  /**
   * What the relay needs from the lab.
   */
  export interface IOptions {
    settings: () => ILmkSettings;
    trans: TranslationBundle;
    /** "Notify when done", if that plugin is on. */
    whenDone: INotifyWhenDone | null;
    findNotebook: (path: string) => INotebookLookup | null;
    notebookUrl: (path: string) => string;
    /** This browser's id in claims: shared by its tabs of this lab. */
    holder: string;
    /** Send a notification through the lab's notifier. */
    notify: (notification: ILmkNotification) => Promise<unknown>;
    /** A run that ended unseen by this page, to notify as the lab would. */
    onEnded: (summary: IRunSummary) => void;
    /** Connect to a running kernel by id (`null` if it is gone). */
    connectTo?: (kernelId: string) => Promise<Kernel.IKernelConnection | null>;
    /** A Matrix room alias's id, through the user's login. */
    resolveRoom?: (alias: string) => Promise<string>;
    /** The grace window and the lease, in seconds (tests shorten them). */
    graceS?: number;
    leaseS?: number;
    now?: () => number;
  }
}

namespace Private {
  export const RUNS_KEPT = 200;

  export interface IRelayedRun {
    state: IKernelState;
    path: string;
    active: IActiveRun;
    /** Settles once the kernel has had the run's seal (and updates). */
    sealed: Promise<void>;
  }

  export interface ILease {
    state: IKernelState;
    until: number;
    /** The kernel's channels for it, and those this page is done with. */
    channels: Set<string>;
    done: Set<string>;
  }

  /** Whether the kernel may hold a notification with this id. */
  export function isRelayed(id: string): boolean {
    return id.startsWith('run:') || id.startsWith('kernel:');
  }
}
