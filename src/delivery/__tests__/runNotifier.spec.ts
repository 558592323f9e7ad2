/**
 * The rules at work on real runs, against a real Jupyter server and
 * ipykernel: cell and notebook modes, "notify me when this run ends",
 * waiting for input, "still running", and the flood guard.
 */
import type { SessionContext } from '@jupyterlab/apputils';
import { type Notebook, NotebookActions } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import {
  createNotebook,
  notebookContent,
  recordingNotifier,
  useJupyterServer,
  useKernel
} from '../../__tests__/kernelFixtures';
import { notebookLookup } from '../../notebook/notebookLookup';
import { NotifyWhenDone } from '../../rules/notifyWhenDone';
import {
  DEFAULT_SETTINGS,
  type ILmkSettings
} from '../../settings/lmkSettings';
import type { ILmkNotification } from '../../tokens';
import { RunTracker } from '../../tracking/runTracker';
import { RunNotifier } from '../runNotifier';

useJupyterServer();

const trans = nullTranslator.load('jupyterlab_lmk');

/** Wait until `sent` holds `count` notifications (or give up after 10 s). */
async function waitFor(sent: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 200 && sent.length < count; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
}

describe('RunNotifier with a real kernel', () => {
  const session = useKernel();
  let tracker: RunTracker;
  let notebook: Notebook;
  let sent: ILmkNotification[];
  let settings: ILmkSettings;
  let whenDone: NotifyWhenDone;
  let runNotifier: RunNotifier;

  function open(
    sources: string[],
    options: {
      notebookLmk?: unknown;
      cellLmk?: { [index: number]: unknown };
      flood?: { limit: number; windowMs: number };
    } = {}
  ): void {
    const content = notebookContent(sources);
    if (options.notebookLmk) {
      content.metadata = { lmk: options.notebookLmk } as never;
    }
    for (const [index, lmk] of Object.entries(options.cellLmk ?? {})) {
      content.cells[Number(index)].metadata = { lmk } as never;
    }
    notebook = createNotebook(session() as SessionContext, content);
    tracker.watch(notebook, session(), () => 'rules.ipynb');
    runNotifier = new RunNotifier({
      runs: tracker,
      notifier: recordingNotifier(sent),
      settings: () => settings,
      notebookUrl: path => `http://127.0.0.1/lab/tree/${path}`,
      findNotebook: () =>
        notebookLookup({ model: notebook.model, sessionContext: session() }),
      whenDone,
      trans,
      flood: options.flood
    });
  }

  async function runAll(): Promise<void> {
    await NotebookActions.runAll(notebook, session());
  }

  /** A little time for a notification that should not come. */
  const settle = () => new Promise(r => setTimeout(r, 500));

  beforeEach(() => {
    tracker = new RunTracker();
    sent = [];
    settings = { ...DEFAULT_SETTINGS };
    whenDone = new NotifyWhenDone();
  });

  afterEach(() => {
    tracker.dispose();
    notebook.dispose();
  });

  it('a short run notifies when one of its cells is marked "always"', async () => {
    open(['x = 1', 'y = 2'], { cellLmk: { 1: { mode: 'always' } } });
    await runAll();
    await waitFor(sent, 1);
    expect(sent).toHaveLength(1);
    expect(sent[0].event.event).toBe('run.finished');
  });

  it('a muted notebook stays silent, even with threshold 0', async () => {
    settings = { ...settings, threshold: 0 };
    open(['x = 1'], { notebookLmk: { mode: 'never' } });
    await runAll();
    await settle();
    expect(sent).toHaveLength(0);
  });

  it('a failing cell marked "never" is still reported when the notebook says on-error', async () => {
    open(['1 / 0'], {
      notebookLmk: { mode: 'on-error', titlePrefix: '[lab-3]' },
      cellLmk: { 0: { mode: 'never' } }
    });
    await runAll();
    await waitFor(sent, 1);
    expect(sent[0].event.event).toBe('run.failed');
    expect(sent[0].event.title).toBe('[lab-3] rules.ipynb failed');
  });

  it('"notify me when this run ends", armed during the run, reports a short run once', async () => {
    open(['import time; time.sleep(1)']);
    const done = runAll();
    await new Promise(r => setTimeout(r, 300));
    whenDone.set('rules.ipynb', true);
    await done;
    await waitFor(sent, 1);
    expect(sent).toHaveLength(1);
    expect(whenDone.isArmed('rules.ipynb')).toBe(false);
    await runAll();
    await settle();
    expect(sent).toHaveLength(1);
  });

  it('tells once when a run waits for input(), with the prompt', async () => {
    open(['a = input("Your name? ")\nb = input("Again? ")']);
    const done = runAll();
    await waitFor(sent, 1);
    expect(sent).toHaveLength(1);
    expect(sent[0].event.event).toBe('input.requested');
    expect(sent[0].event.text).toContain('cell 1 asks: Your name?');
    expect(sent[0].target).toEqual({
      path: 'rules.ipynb',
      cellId: notebook.widgets[0].model.id
    });
    await session().session!.kernel!.interrupt();
    await done;
    await settle();
    // Interrupted by the user: no notification for the end either.
    expect(sent).toHaveLength(1);
  });

  it('says "still running" once, with the cell it is on, and clears its timer', async () => {
    settings = { ...settings, stillRunningMinutes: 0.01 };
    open(['x = 1', 'import time; time.sleep(2)'], {
      notebookLmk: { mode: 'still-running' }
    });
    await runAll();
    await settle();
    expect(sent.map(n => n.event.event)).toEqual(['run.still_running']);
    expect(sent[0].event.text).toMatch(/^Still running after .*, on cell 2\./);
    expect(runNotifier.pendingTimers).toBe(0);
  });

  it('a run that ends before the delay leaves no timer behind', async () => {
    settings = { ...settings, stillRunningMinutes: 0.05 };
    open(['x = 1'], { notebookLmk: { mode: 'still-running' } });
    await runAll();
    await settle();
    expect(runNotifier.pendingTimers).toBe(0);
    await new Promise(r => setTimeout(r, 3000));
    expect(sent).toHaveLength(0);
  });

  it('rate-limits a notebook that fails in a loop, then says how many were held', async () => {
    open(['1 / 0'], {
      notebookLmk: { mode: 'on-error' },
      flood: { limit: 1, windowMs: 2000 }
    });
    for (let i = 0; i < 4; i++) {
      await runAll();
    }
    await settle();
    expect(sent).toHaveLength(1);
    await waitFor(sent, 2);
    expect(sent).toHaveLength(2);
    expect(sent[1].event.title).toBe('rules.ipynb: 3 more failures');
  });
});
