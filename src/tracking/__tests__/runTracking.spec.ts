/**
 * Run tracking against a real Jupyter server and a real ipykernel: the
 * server is started once for this file, each notebook gets a real kernel.
 */
import type { SessionContext } from '@jupyterlab/apputils';
import { Notebook, NotebookActions } from '@jupyterlab/notebook';
import {
  createNotebook,
  notebookContent,
  startKernel,
  useJupyterServer,
  useKernel
} from '../../__tests__/kernelFixtures';
import type { IInputRequest, IRunSummary } from '../../tokens';
import { RunTracker } from '../runTracker';

useJupyterServer();

function makeNotebook(
  tracker: RunTracker,
  sessionContext: SessionContext,
  path: string,
  sources: string[]
): Notebook {
  const notebook = createNotebook(sessionContext, notebookContent(sources));
  tracker.watch(notebook, sessionContext, () => path);
  return notebook;
}

/** Resolve with the next `count` runs that end, in order. */
function nextRuns(tracker: RunTracker, count = 1): Promise<IRunSummary[]> {
  return new Promise(resolve => {
    const seen: IRunSummary[] = [];
    const onEnded = (_: RunTracker, summary: IRunSummary) => {
      seen.push(summary);
      if (seen.length === count) {
        tracker.runEnded.disconnect(onEnded);
        resolve(seen);
      }
    };
    tracker.runEnded.connect(onEnded);
  });
}

/** Wait until the kernel reports `busy` (the run has really started). */
async function untilBusy(sessionContext: SessionContext): Promise<void> {
  while (sessionContext.session?.kernel?.status !== 'busy') {
    await new Promise(r => setTimeout(r, 20));
  }
}

function runCell(notebook: Notebook, index: number, fixture: SessionContext) {
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  return NotebookActions.run(notebook, fixture);
}

describe('run tracking with a real kernel', () => {
  let tracker: RunTracker;
  const notebooks: Notebook[] = [];
  const session = useKernel();

  beforeEach(() => {
    tracker = new RunTracker();
  });

  afterEach(() => {
    tracker.dispose();
    notebooks.splice(0).forEach(notebook => notebook.dispose());
  });

  function open(path: string, sources: string[], context = session()) {
    const notebook = makeNotebook(tracker, context, path, sources);
    notebooks.push(notebook);
    return notebook;
  }

  it('reports a one-cell run as finished, with kernel timing', async () => {
    const notebook = open('one.ipynb', ['import time; time.sleep(0.3)']);
    const ended = nextRuns(tracker);
    await runCell(notebook, 0, session());
    const [run] = await ended;
    expect(run).toMatchObject({
      outcome: 'finished',
      notebookPath: 'one.ipynb',
      cells: 1,
      executed: 1,
      kernelTiming: true,
      failure: null
    });
    expect(run.kernel?.name).toBe(session().session!.kernel!.name);
    expect(run.durationSeconds).toBeGreaterThanOrEqual(0.3);
    expect(run.durationSeconds).toBeLessThan(3);
  });

  it('makes one run of a run-all of 20 cells', async () => {
    const sources = Array.from({ length: 20 }, (_, i) => `x${i} = ${i}`);
    const notebook = open('twenty.ipynb', sources);
    const ended: IRunSummary[] = [];
    tracker.runEnded.connect((_, summary) => ended.push(summary));
    await NotebookActions.runAll(notebook, session());
    await new Promise(r => setTimeout(r, 300));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      outcome: 'finished',
      cells: 20,
      executed: 20
    });
    const ids = notebook.widgets.map(cell => cell.model.id);
    expect(ended[0].cellIds).toEqual(ids);
    expect(ended[0].lastCellId).toBe(ids[19]);
  });

  it('ends a run at an error in the middle, with the rest aborted', async () => {
    const notebook = open('fails.ipynb', [
      'a = 1',
      'b = 2',
      'raise ValueError("bad value")',
      'c = 3',
      'd = 4'
    ]);
    const ended: IRunSummary[] = [];
    tracker.runEnded.connect((_, summary) => ended.push(summary));
    await NotebookActions.runAll(notebook, session());
    await new Promise(r => setTimeout(r, 500));
    expect(ended).toHaveLength(1);
    const [run] = ended;
    expect(run.outcome).toBe('failed');
    expect(run.executed).toBe(3);
    expect(run.cells).toBe(5);
    expect(run.failure).toMatchObject({
      cellId: notebook.widgets[2].model.id,
      index: 2,
      ename: 'ValueError',
      evalue: 'bad value'
    });
    expect(run.failure!.executionCount).toEqual(expect.any(Number));
    expect(run.failure!.traceback.join('\n')).toContain('ValueError');
    // The cells after the error never ran.
    const counts = notebook.widgets.map(
      cell => (cell.model as any).executionCount
    );
    expect(counts[3]).toBeNull();
    expect(counts[4]).toBeNull();
  });

  it('goes on past an error in a cell tagged raises-exception, and reports it', async () => {
    const notebook = open('tagged.ipynb', [
      'a = 1',
      'raise KeyError("expected")',
      'c = 3'
    ]);
    notebook.widgets[1].model.setMetadata('tags', ['raises-exception']);
    const ended = nextRuns(tracker);
    await NotebookActions.runAll(notebook, session());
    const [run] = await ended;
    expect(run.outcome).toBe('failed');
    // The last cell ran: an aborted one would not count as executed.
    expect(run.executed).toBe(3);
    expect(run.failure).toMatchObject({
      cellId: notebook.widgets[1].model.id,
      index: 1,
      ename: 'KeyError'
    });
  });

  it('says which cell waits for input, with its prompt', async () => {
    const notebook = open('asks.ipynb', [
      'a = 1',
      'name = input("Your name? ")'
    ]);
    const asked = new Promise<IInputRequest>(resolve =>
      tracker.inputRequested.connect((_, request) => resolve(request))
    );
    const ended = nextRuns(tracker);
    void NotebookActions.runAll(notebook, session());
    const request = await asked;
    try {
      expect(request).toMatchObject({
        cellId: notebook.widgets[1].model.id,
        index: 1,
        prompt: 'Your name? ',
        password: false
      });
      expect(request.run.current()).toEqual({
        cellId: notebook.widgets[1].model.id,
        index: 1
      });
    } finally {
      // The kernel waits in input() until interrupted.
      await session().session!.kernel!.interrupt();
    }
    const [run] = await ended;
    expect(run.outcome).toBe('interrupted');
    expect(run.executed).toBe(2);
  }, 30_000);

  it('reports an interrupt as interrupted', async () => {
    const notebook = open('interrupt.ipynb', [
      'import time; time.sleep(30)',
      'after = 1'
    ]);
    const ended = nextRuns(tracker);
    void NotebookActions.runAll(notebook, session());
    await untilBusy(session());
    await new Promise(r => setTimeout(r, 200));
    await session().session!.kernel!.interrupt();
    const [run] = await ended;
    expect(run.outcome).toBe('interrupted');
    expect(run.failure?.ename).toBe('KeyboardInterrupt');
    expect(run.durationSeconds).toBeLessThan(10);
  }, 30_000);

  it('tells two notebooks running at once apart', async () => {
    const otherKernel = await startKernel();
    try {
      const first = open('first.ipynb', ['import time; time.sleep(1)']);
      const second = open(
        'second.ipynb',
        ['import time; time.sleep(0.5)', 'raise RuntimeError("second")'],
        otherKernel
      );
      const ended = nextRuns(tracker, 2);
      void NotebookActions.runAll(first, session());
      void NotebookActions.runAll(second, otherKernel);
      const runs = await ended;
      const byPath = Object.fromEntries(runs.map(r => [r.notebookPath, r]));
      expect(byPath['first.ipynb']).toMatchObject({
        outcome: 'finished',
        cells: 1
      });
      expect(byPath['second.ipynb']).toMatchObject({
        outcome: 'failed',
        cells: 2
      });
      expect(byPath['first.ipynb'].kernel!.id).not.toBe(
        byPath['second.ipynb'].kernel!.id
      );
      expect(runs[0].id).not.toBe(runs[1].id);
    } finally {
      await otherKernel.shutdown();
      otherKernel.dispose();
    }
  }, 60_000);

  it('counts kernel time only: a run queued behind another does not include the wait', async () => {
    const notebook = open('queue.ipynb', [
      'import time; time.sleep(2)',
      'import time; time.sleep(0.5)'
    ]);
    const ended = nextRuns(tracker, 2);
    // Two separate actions (a user's clicks are separate tasks): the second
    // waits in the kernel's queue for ~2 s.
    void runCell(notebook, 0, session());
    await new Promise(r => setTimeout(r, 50));
    void runCell(notebook, 1, session());
    const [slow, queued] = await ended;
    expect(slow.durationSeconds).toBeGreaterThanOrEqual(2);
    expect(queued.durationSeconds).toBeGreaterThanOrEqual(0.5);
    expect(queued.durationSeconds).toBeLessThan(1.5);
    expect(slow.id).not.toBe(queued.id);
  }, 30_000);

  it('does not make a run of markdown cells', async () => {
    const notebook = open('markdown.ipynb', ['# md # Title', '# md text']);
    const ended: IRunSummary[] = [];
    tracker.runEnded.connect((_, summary) => ended.push(summary));
    await NotebookActions.runAll(notebook, session());
    await new Promise(r => setTimeout(r, 300));
    expect(ended).toHaveLength(0);
  });

  it('drops a queued cell that is deleted and reports the rest', async () => {
    const notebook = open('delete.ipynb', [
      'import time; time.sleep(1)',
      'deleted = True'
    ]);
    const ended = nextRuns(tracker);
    void NotebookActions.runAll(notebook, session());
    await untilBusy(session());
    notebook.model!.sharedModel.deleteCell(1);
    const [run] = await ended;
    expect(run.outcome).toBe('finished');
    expect(run.cells).toBe(2);
    expect(run.executed).toBe(1);
  }, 30_000);

  it('drops a queued cell that is run again from the first run, which ends with its last cell', async () => {
    const notebook = open('again.ipynb', [
      'import time; time.sleep(1)',
      'again = 1',
      'last = 1'
    ]);
    const ended = nextRuns(tracker, 2);
    void NotebookActions.runAll(notebook, session());
    await untilBusy(session());
    // Run the middle cell again while the first still runs: its first
    // request is cancelled in the lab, and it runs in a run of its own.
    void runCell(notebook, 1, session());
    const [first, second] = await ended;
    expect(first).toMatchObject({
      outcome: 'finished',
      cells: 3,
      executed: 2,
      lastCellId: notebook.widgets[2].model.id
    });
    expect(second).toMatchObject({
      outcome: 'finished',
      cells: 1,
      executed: 1,
      lastCellId: notebook.widgets[1].model.id
    });
  }, 30_000);

  it('ends the run when the kernel is restarted mid-run', async () => {
    const notebook = open('restart.ipynb', [
      'import time; time.sleep(30)',
      'after = 1'
    ]);
    const ended = nextRuns(tracker);
    void NotebookActions.runAll(notebook, session());
    await untilBusy(session());
    await session().restartKernel();
    const [run] = await ended;
    expect(run.outcome).toBe('kernel-restarted');
    expect(run.executed).toBe(0);
  }, 60_000);

  it('ends the run as kernel-restarted when the notebook changes kernel mid-run', async () => {
    const changing = await startKernel();
    try {
      const notebook = open(
        'changes.ipynb',
        ['import time; time.sleep(30)', 'after = 1'],
        changing
      );
      const ended = nextRuns(tracker);
      NotebookActions.runAll(notebook, changing).catch(() => undefined);
      await untilBusy(changing);
      const name = changing.session!.kernel!.name;
      await changing.changeKernel({ name });
      const [run] = await ended;
      expect(run.outcome).toBe('kernel-restarted');
      expect(run.executed).toBe(0);
    } finally {
      await changing.shutdown();
      changing.dispose();
    }
  }, 60_000);

  it('ends the run as kernel-died when the kernel process dies', async () => {
    // A kernel of its own: the server restarts it after the crash.
    const dying = await startKernel();
    try {
      const notebook = open(
        'dies.ipynb',
        ['import os, time; time.sleep(0.5); os._exit(1)', 'after = 1'],
        dying
      );
      const ended = nextRuns(tracker);
      // The lab's own run promise rejects when the connection drops.
      NotebookActions.runAll(notebook, dying).catch(() => undefined);
      const [run] = await ended;
      expect(run.outcome).toBe('kernel-died');
      expect(run.executed).toBe(0);
      expect(run.durationSeconds).toBeGreaterThanOrEqual(0.4);
    } finally {
      // Let the server's restart and the client's reconnection settle
      // before shutting down, or the lab's reconnect rejects unhandled.
      for (let i = 0; i < 200; i++) {
        const kernel = dying.session?.kernel;
        if (
          kernel?.connectionStatus === 'connected' &&
          kernel.status === 'idle'
        ) {
          break;
        }
        await new Promise(r => setTimeout(r, 50));
      }
      await dying.shutdown();
      dying.dispose();
    }
  }, 60_000);
});
