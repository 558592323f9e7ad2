import type { ISessionContext } from '@jupyterlab/apputils';
import type { Notebook } from '@jupyterlab/notebook';
import type { KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';
import { Token } from '@lumino/coreutils';

/**
 * The kinds of event a notification can report (webhook event, version 1).
 */
export type LmkEventKind =
  | 'run.finished'
  | 'run.failed'
  | 'run.interrupted'
  | 'run.still_running'
  | 'input.requested'
  | 'kernel.died'
  | 'kernel.restarted'
  | 'manual';

/**
 * The event every channel formats from; also the JSON body a webhook receives.
 *
 * This shape is a public contract (see docs/contracts.md, "The event"): add fields,
 * never rename or remove them without bumping `version`.
 */
export interface ILmkEvent {
  version: 1;
  event: LmkEventKind;
  /** Short title, plain text. */
  title: string;
  /** Body in markdown. */
  message: string;
  /** Body in plain text. */
  text: string;
  notebook: { path: string; name: string; url: string } | null;
  run: {
    cells: number;
    executed: number;
    started: string;
    finished: string | null;
    duration_s: number;
  } | null;
  cell: { index: number; execution_count: number | null } | null;
  error: { ename: string; evalue: string; traceback: string[] } | null;
  kernel: { id: string; name: string } | null;
  report: { [name: string]: string } | null;
  /**
   * Who sent it: the lab's page, or the notebook's kernel while no page was
   * open (added within version 1; absent means the lab).
   */
  sender?: 'lab' | 'kernel';
}

/**
 * Where "Go to cell" leads: a notebook path and, optionally, a cell id.
 */
export interface INotificationTarget {
  path: string;
  cellId?: string;
}

/**
 * A notification on its way to the channels.
 */
export interface ILmkNotification {
  /** Stable id of the notification, used to tag and de-duplicate it. */
  id: string;
  event: ILmkEvent;
  /** What clicking the notification opens; never sent to remote channels. */
  target: INotificationTarget | null;
}

/**
 * One configured channel, as stored in the settings.
 */
export interface IChannelConfig {
  id: string;
  type: string;
  enabled: boolean;
  [option: string]: unknown;
}

/**
 * What happened when a notification was handed to one channel.
 */
export interface IDeliveryResult {
  channelId: string;
  /**
   * `pending`: stored in the outbox and being retried; a later `delivered`
   * signal for the same notification says how it ended.
   */
  status: 'sent' | 'skipped' | 'failed' | 'pending';
  /** A human-readable reason; never contains a secret. */
  detail?: string;
  /**
   * False when the request went out in a form whose answer the browser
   * hides (no CORS on the service's side): sent, but not confirmed.
   */
  confirmed?: boolean;
}

/**
 * A kind of channel (toast, desktop, webhook, ...).
 */
export interface IChannelType {
  /** The value of `type` in a channel's settings. */
  readonly type: string;
  /**
   * Whether deliveries leave the browser. Remote deliveries go through the
   * outbox: stored first, retried on transient failures, sent by one tab.
   */
  readonly remote?: boolean;
  /**
   * Whether the service drops a second delivery of the same notification
   * id (the generic webhook's receivers by `X-Lmk-Event-Id`, Matrix by its
   * transaction id). A remote delivery is retried until it is confirmed
   * only where this is true; elsewhere (default) a request that timed out
   * counts as sent but not confirmed, and no notification is sent more
   * than twice, since one that got no answer may have arrived.
   */
  readonly deduplicates?: boolean;
  /**
   * Why the channel cannot deliver now whoever is at the keyboard (the
   * browser blocks desktop notifications, say), or null. Asked before a
   * notification is held for an "only when away" channel, so the user
   * hears of the real blocker first.
   */
  unavailable?(config: IChannelConfig): string | null;
  /**
   * Deliver one notification through one configured channel. A failure is
   * thrown, as a `DeliveryError` when its cause is known.
   */
  send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult>;
}

/**
 * The notifier: sends notifications through the configured channels.
 */
export interface ILmkNotifier {
  /**
   * Send a notification through the default channels (enabled, `default` not false), or the
   * channels whose ids are given. One failing channel never blocks another.
   */
  notify(
    notification: ILmkNotification,
    options?: ILmkNotifier.INotifyOptions
  ): Promise<IDeliveryResult[]>;

  /** Make a new channel type available to the settings. */
  registerChannelType(channelType: IChannelType): IDisposable;

  /** Whether a channel type has been registered (its plugin is on). */
  hasChannelType(type: string): boolean;

  /**
   * The user saw this notification in the lab (closed its toast, went to
   * its cell, opened it in the history): the channels still holding it
   * until the user is away drop it.
   */
  markSeen(notificationId: string): void;

  /** Emitted after each notification has been handed to its channels. */
  readonly delivered: ISignal<
    ILmkNotifier,
    { notification: ILmkNotification; results: IDeliveryResult[] }
  >;
}

/**
 * The namespace for `ILmkNotifier` types.
 */
export namespace ILmkNotifier {
  /**
   * Options of one notification.
   */
  export interface INotifyOptions {
    /** Send through these channels (by id) instead of the enabled ones. */
    channels?: string[];
    /**
     * Deliver through "only when away" channels even though the user is in
     * the lab: for what the user asked for right now (a test, a resend).
     * Otherwise such channels hold the notification until the user is
     * away, and drop it if the user sees it in the lab first.
     */
    evenIfPresent?: boolean;
  }
}

/**
 * The notifier token.
 */
export const ILmkNotifier = new Token<ILmkNotifier>(
  'jupyterlab-lmk:ILmkNotifier',
  'Sends notifications through the channels the user configured.'
);

/**
 * How a run ended.
 */
export type RunOutcome =
  | 'finished'
  | 'failed'
  | 'interrupted'
  | 'kernel-died'
  | 'kernel-restarted'
  | 'cancelled';

/**
 * A run that has ended, as plain data.
 */
export interface IRunSummary {
  /** Unique id of the run (the message id of its first execute request). */
  id: string;
  outcome: RunOutcome;
  notebookPath: string;
  kernel: { id: string; name: string } | null;
  /** Number of code cells scheduled. */
  cells: number;
  /** Number of code cells whose execution completed (with or without error). */
  executed: number;
  /** ISO-8601 time the kernel started the first cell. */
  started: string;
  /** ISO-8601 time the run ended. */
  finished: string;
  durationSeconds: number;
  /** Whether `started`/`finished` come from the kernel's clock. */
  kernelTiming: boolean;
  /** Id of the run's last cell, where "Go to cell" leads when nothing failed. */
  lastCellId: string;
  /** Ids of the run's code cells, in execution order. */
  cellIds: readonly string[];
  failure: IRunFailure | null;
}

/**
 * A run that is still going on.
 */
export interface IActiveRun {
  /** Unique id of the run, the same as its summary's once it ends. */
  readonly id: string;
  readonly notebookPath: string;
  readonly kernel: { id: string; name: string } | null;
  /** Ids of the run's code cells, in execution order. */
  readonly cellIds: readonly string[];
  readonly isDone: boolean;
  /** Number of cells whose execution completed so far. */
  readonly executed: number;
  /** ISO-8601 time the run started (kernel clock where known). */
  readonly started: string;
  /** Seconds since the kernel started the run (kernel clock where known). */
  readonly durationSeconds: number;
  /** The cell executing now (or next in line), at its current position. */
  current(): { cellId: string; index: number } | null;
}

/**
 * The kernel asked for input (`input()`, `getpass()`) during a run.
 */
export interface IInputRequest {
  run: IActiveRun;
  cellId: string;
  /** Position of the cell in the notebook (0-based). */
  index: number;
  /** The prompt the kernel shows, as sent. */
  prompt: string;
  /** Whether the answer is hidden (a password prompt). */
  password: boolean;
}

/**
 * The cell that stopped a run, and its error.
 */
export interface IRunFailure {
  cellId: string;
  /** Index of the cell in the notebook (0-based). */
  index: number;
  executionCount: number | null;
  ename: string;
  evalue: string;
  traceback: string[];
}

/**
 * Tracks notebook runs in the lab.
 */
export interface IRunTracker {
  /** Emitted when the kernel has been given a new run's cells. */
  readonly runStarted: ISignal<IRunTracker, IActiveRun>;
  /** Emitted the first time a run waits for input. */
  readonly inputRequested: ISignal<IRunTracker, IInputRequest>;
  /** Emitted when a run ends, however it ends. */
  readonly runEnded: ISignal<IRunTracker, IRunSummary>;
  /**
   * Follow runs as the lab hands them to the kernel: for extensions that
   * mark a run's boundaries in the kernel's own queue.
   */
  addBoundaryObserver(observer: IRunTracker.IBoundaryObserver): IDisposable;
}

/**
 * The namespace for `IRunTracker` types.
 */
export namespace IRunTracker {
  /**
   * Told of each action that schedules cells of a watched notebook.
   */
  export interface IBoundaryObserver {
    /**
     * The action's first code cell is about to be sent: called
     * synchronously, before its execute request, so a message sent now
     * reaches the kernel ahead of the run's cells.
     */
    beforeRun(notebook: Notebook, sessionContext: ISessionContext): void;
    /**
     * The action's requests are all sent (a microtask later): the run, or
     * `null` when no cell was sent (all empty, no kernel).
     */
    sealed(notebook: Notebook, sealed: ISealedRun | null): void;
  }

  /**
   * A run whose requests have all been sent.
   */
  export interface ISealedRun {
    run: IActiveRun;
    /** The execute request of each of its cells, in order. */
    requests: readonly KernelMessage.IExecuteRequestMsg[];
    /** Each cell's position in the notebook, in one pass over it. */
    positions(): number[];
  }
}

/**
 * The run tracker token.
 */
export const IRunTracker = new Token<IRunTracker>(
  'jupyterlab-lmk:IRunTracker',
  'Tells when notebook runs end and how.'
);

/**
 * The one-shot "notify me when this run ends" of each notebook (by path).
 */
export interface INotifyWhenDone {
  /** Whether the notebook's next run to end will notify, whatever the rules. */
  isArmed(path: string): boolean;
  /** Arm or disarm the one-shot for a notebook. */
  set(path: string, armed: boolean): void;
  /**
   * Use up the one-shot of a notebook whose run ended.
   *
   * @returns whether it was armed.
   */
  consume(path: string): boolean;
  /** Emitted with the notebook's path whenever its state changes. */
  readonly changed: ISignal<INotifyWhenDone, string>;
}

/**
 * The "notify me when this run ends" token.
 */
export const INotifyWhenDone = new Token<INotifyWhenDone>(
  'jupyterlab-lmk:INotifyWhenDone',
  'The one-shot "notify me when this run ends" of each notebook.'
);

/**
 * Whether a notebook's kernel can deliver its notifications while no page
 * of the lab is open ("Also when the browser is closed"), and why not.
 */
export interface IKernelRelay {
  /**
   * For the notebook at `path` with this session: `can`, and a sentence
   * that says it (or why not: no channel allows it, not an IPython
   * kernel, the kernel refused the watcher, ...).
   */
  status(
    path: string | null,
    sessionContext: ISessionContext | null
  ): IKernelRelay.IStatus;
  /**
   * Whether some channel allows delivery with the browser closed: without
   * one there is nothing to say, and the panel keeps its room.
   */
  readonly offered: boolean;
  /** Emitted when a status may have changed. */
  readonly changed: ISignal<IKernelRelay, void>;
}

/**
 * The namespace for `IKernelRelay` types.
 */
export namespace IKernelRelay {
  /**
   * What a notebook's kernel can do while the browser is closed.
   */
  export interface IStatus {
    can: boolean;
    text: string;
  }
}

/**
 * The kernel relay token.
 */
export const IKernelRelay = new Token<IKernelRelay>(
  'jupyterlab-lmk:IKernelRelay',
  "Tells whether a notebook's kernel can deliver while the browser is closed."
);

/**
 * The Notifications side panel, for plugins that add a section to it.
 */
export interface ILmkSidebar {
  /**
   * Add a section (a `PanelWithToolbar` reads best) below the others. The
   * panel's sections are attached the first time it is shown.
   */
  addSection(section: Widget): void;
  /** Unfold a section and scroll it into view (the panel must be shown). */
  reveal(section: Widget): void;
  /** Whether the panel can be seen now. */
  isVisible(): boolean;
  /** Emitted each time the panel is shown; the first time, load lazily. */
  readonly shown: ISignal<ILmkSidebar, void>;
}

/**
 * The sidebar token.
 */
export const ILmkSidebar = new Token<ILmkSidebar>(
  'jupyterlab-lmk:ILmkSidebar',
  'The Notifications side panel: add a section to it.'
);

/**
 * Runs shared live to the phone: a status message kept up to date in a
 * Matrix room or an ntfy notification, from which the run's owner can stop
 * it or mute it (docs/phone.md).
 */
export interface ILiveStatus {
  /** What is shared now, and the notebooks whose next or every run will be. */
  readonly shares: readonly ILiveStatus.IShare[];
  /** The channels a run can be shared through: Matrix rooms and ntfy. */
  channels(): ILiveStatus.IChannelChoice[];
  /**
   * Share the notebook's current run through a channel (by id), or its
   * next run if none is going. With `every`, every run of the notebook
   * from now on (saved as `lmk.live` in its metadata). Rejects with a
   * message for the user if the status cannot be posted.
   */
  share(
    path: string,
    channelId: string,
    options?: { every?: boolean }
  ): Promise<ILiveStatus.IShare>;
  /**
   * Stop sharing: the status says so and commands are no longer heard; for
   * a notebook that shares every run, its `lmk.live` is removed.
   */
  stop(shareId: string): Promise<void>;
  /** Emitted when a share starts, changes or ends. */
  readonly changed: ISignal<ILiveStatus, void>;
}

/**
 * The namespace for `ILiveStatus` types.
 */
export namespace ILiveStatus {
  /**
   * One run shared live, or a notebook waiting for its next run.
   */
  export interface IShare {
    id: string;
    /** The notebook's path. */
    path: string;
    channelId: string;
    kind: 'matrix' | 'ntfy';
    /** Where the status goes: the room, or the ntfy server and topic hint. */
    where: string;
    /**
     * `waiting` for the notebook's next run, `starting` (posting the
     * status), `live`, or `ended` (late commands still answered).
     */
    state: 'waiting' | 'starting' | 'live' | 'ended';
    /** Whether every run of the notebook is shared (its `lmk.live`). */
    every: boolean;
    /** Whether the phone muted the run. */
    muted: boolean;
    /** The run shared, once there is one. */
    runId: string | null;
    /** The latest problem with the service, or null. */
    problem: string | null;
  }

  /**
   * A channel a run can be shared through.
   */
  export interface IChannelChoice {
    id: string;
    kind: 'matrix' | 'ntfy';
    /** The channel's name. */
    label: string;
    /** Whether it is switched on for notifications. */
    enabled: boolean;
  }
}

/**
 * The live status token.
 */
export const ILiveStatus = new Token<ILiveStatus>(
  'jupyterlab-lmk:ILiveStatus',
  'Shares runs live to the phone (Matrix, ntfy), from where their owner can stop or mute them.'
);
