/**
 * A notebook with a real kernel, its run tracker, the live status host and
 * the run notifier, wired as the lab wires them (the plugins), for the
 * suites that share runs to a real Synapse or to the ntfy stand-in.
 */
import type { SessionContext } from '@jupyterlab/apputils';
import { type Notebook, NotebookActions } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import {
  createNotebook,
  notebookContent,
  recordingNotifier
} from '../../__tests__/kernelFixtures';
import { RunNotifier } from '../../delivery/runNotifier';
import {
  DEFAULT_SETTINGS,
  type ILmkSettings
} from '../../settings/lmkSettings';
import type {
  IChannelConfig,
  ILmkNotification,
  IRunSummary
} from '../../tokens';
import { RunTracker } from '../../tracking/runTracker';
import { LiveHost } from '../liveHost';
import { liveNotebooks } from '../liveNotebooks';
import { NotifyWhenDone } from '../../rules/notifyWhenDone';

export const trans = nullTranslator.load('jupyterlab_lmk');

/**
 * One notebook of the suite, with everything that follows its runs.
 */
export interface ILiveBench {
  notebook: Notebook;
  path: string;
  tracker: RunTracker;
  host: LiveHost;
  /** Notifications handed to the channels (end of run). */
  sent: { notification: ILmkNotification; at: number }[];
  /** Entries put in History only (commands from the phone). */
  recorded: ILmkNotification[];
  /** Warnings the lab would show. */
  warnings: string[];
  /** Run every cell; resolves when the run has been handed to the kernel. */
  runAll(): Promise<void>;
  /** Resolves with the next run that ends. */
  nextEnd(): Promise<IRunSummary>;
  dispose(): void;
}

/**
 * Open a notebook of `sources` on a kernel, share-ready: the settings say
 * every run notifies (so the end-of-run notification is sent), add the
 * cells' first line and last output to messages, and hold `channels`.
 */
export function liveBench(options: {
  session: SessionContext;
  path: string;
  sources: string[];
  channels: IChannelConfig[];
  accounts?: ILmkSettings['accounts'];
}): ILiveBench {
  const { session, path } = options;
  const notebook = createNotebook(session, notebookContent(options.sources));
  const tracker = new RunTracker();
  tracker.watch(notebook, session, () => path);
  const settings: ILmkSettings = {
    ...DEFAULT_SETTINGS,
    mode: 'always',
    includeSource: true,
    outputLines: 3,
    channels: options.channels,
    accounts: options.accounts ?? {}
  };
  const warnings: string[] = [];
  const host = new LiveHost({
    runs: tracker,
    trans,
    notebooks: liveNotebooks(
      p =>
        p === path ? { model: notebook.model, sessionContext: session } : null,
      () => [path]
    ),
    warn: message => warnings.push(message)
  });
  const sent: { notification: ILmkNotification; at: number }[] = [];
  const handed: ILmkNotification[] = [];
  const notifier = recordingNotifier(handed);
  notifier.delivered.connect((_, { notification, results }) => {
    if (results.length) {
      sent.push({ notification, at: Date.now() });
    }
  });
  const recorded: ILmkNotification[] = [];
  new RunNotifier({
    runs: tracker,
    notifier,
    settings: () => settings,
    notebookUrl: p => `http://127.0.0.1:8888/lab/tree/${p}`,
    findNotebook: () => null,
    whenDone: new NotifyWhenDone(),
    trans,
    live: () => host
  });
  host.connect({
    settings: () => settings,
    notebookUrl: p => `http://127.0.0.1:8888/lab/tree/${p}`,
    record: notification => recorded.push(notification)
  });
  return {
    notebook,
    path,
    tracker,
    host,
    sent,
    recorded,
    warnings,
    runAll: async () => {
      void NotebookActions.runAll(notebook, session);
      // The run is sealed a microtask after its cells are scheduled.
      await new Promise(resolve => setTimeout(resolve, 0));
    },
    nextEnd: () =>
      new Promise(resolve => {
        const onEnded = (_: RunTracker, summary: IRunSummary) => {
          tracker.runEnded.disconnect(onEnded);
          resolve(summary);
        };
        tracker.runEnded.connect(onEnded);
      }),
    dispose: () => {
      host.dispose();
      tracker.dispose();
      notebook.dispose();
    }
  };
}

/**
 * Poll until `check` gives a value (not undefined/false), at most
 * `timeoutMs`; fails with `what` otherwise.
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) {
      return value as T;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}
