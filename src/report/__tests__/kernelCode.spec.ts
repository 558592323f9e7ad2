/**
 * Kernel code and report values against a real Jupyter server and ipykernel:
 * report expressions, snippets, and notifications sent from kernel code.
 */
import type { CodeCellModel } from '@jupyterlab/cells';
import { NotebookActions } from '@jupyterlab/notebook';
import { nullTranslator } from '@jupyterlab/translation';
import {
  createNotebook,
  notebookContent,
  recordingNotifier,
  useJupyterServer,
  useKernel
} from '../../__tests__/kernelFixtures';
import { RunNotifier } from '../../delivery/runNotifier';
import {
  type IKernelNotifyRequest,
  KernelNotifyWatcher
} from '../../kernelNotify/kernelNotifyWatcher';
import { notebookLookup } from '../../notebook/notebookLookup';
import { NotifyWhenDone } from '../../rules/notifyWhenDone';
import { DEFAULT_SETTINGS } from '../../settings/lmkSettings';
import type { ILmkNotification } from '../../tokens';
import { RunTracker } from '../../tracking/runTracker';
import { evaluateReport, runSnippet } from '../kernelEvaluation';

useJupyterServer();

const trans = nullTranslator.load('jupyterlab_lmk');

describe('with a real kernel', () => {
  const session = useKernel();

  const kernel = () => session().session!.kernel!;

  /** The kernel's execution counter, read without changing it. */
  async function executionCount(): Promise<number> {
    const values = await evaluateReport(
      kernel(),
      [{ name: 'n', expression: 'get_ipython().execution_count' }],
      { timeoutMs: 5000, trans }
    );
    return Number(values.n);
  }

  describe('evaluateReport', () => {
    it('gives text values, error names for failing expressions, and leaves the counter alone', async () => {
      await runSnippet(kernel(), 'loss = 0.123456\nrows = list(range(1000))', {
        timeoutMs: 5000
      });
      const before = await executionCount();
      const values = await evaluateReport(
        kernel(),
        [
          { name: 'loss', expression: 'f"{loss:.4f}"' },
          { name: 'rows', expression: 'len(rows)' },
          { name: 'broken', expression: '1 / 0' },
          { name: 'missing', expression: 'undefined_name' },
          { name: 'long', expression: '"x" * 1000' }
        ],
        { timeoutMs: 5000, trans }
      );
      expect(values.loss).toBe("'0.1235'");
      expect(values.rows).toBe('1000');
      expect(values.broken).toBe('ZeroDivisionError');
      expect(values.missing).toBe('NameError');
      expect(values.long.length).toBe(200);
      expect(await executionCount()).toBe(before);
    });

    it('gives up on a hanging expression without waiting for it', async () => {
      const started = Date.now();
      const values = await evaluateReport(
        kernel(),
        [{ name: 'slow', expression: '__import__("time").sleep(2) or 1' }],
        { timeoutMs: 300, trans }
      );
      expect(Date.now() - started).toBeLessThan(1500);
      expect(values.slow).toBe('(no answer within 0.3 s)');
      // Let the kernel finish before the next test.
      await runSnippet(kernel(), 'pass', { timeoutMs: 10_000 });
    });
  });

  describe('runSnippet', () => {
    it('keeps stdout and stderr apart and returns the result', async () => {
      const before = await executionCount();
      const result = await runSnippet(
        kernel(),
        'import sys\nprint("out")\nprint("err", file=sys.stderr)\n6 * 7',
        { timeoutMs: 5000 }
      );
      expect(result).toMatchObject({
        stdout: 'out\n',
        stderr: 'err\n',
        result: '42',
        error: null,
        timedOut: false
      });
      expect(await executionCount()).toBe(before);
    });

    it('returns the error with an ANSI-free traceback', async () => {
      const result = await runSnippet(kernel(), 'raise KeyError("k")', {
        timeoutMs: 5000
      });
      expect(result.error).toMatchObject({ ename: 'KeyError', evalue: "'k'" });
      expect(result.error!.traceback.join('\n')).not.toContain('\u001b');
    });

    it('says so when the kernel takes longer than the timeout', async () => {
      const result = await runSnippet(kernel(), 'import time; time.sleep(1)', {
        timeoutMs: 200
      });
      expect(result.timedOut).toBe(true);
      await runSnippet(kernel(), 'pass', { timeoutMs: 10_000 });
    });

    it('bounds a huge output to its tail', async () => {
      const result = await runSnippet(
        kernel(),
        'for i in range(20000): print(i)',
        { timeoutMs: 20_000 }
      );
      expect(result.stdout.length).toBeLessThanOrEqual(4000);
      expect(result.stdout.trimEnd().endsWith('19999')).toBe(true);
    });
  });

  describe('notify() from kernel code', () => {
    it('is seen once, live, and never again from the saved output', async () => {
      const seen: IKernelNotifyRequest[] = [];
      const notebook = createNotebook(
        session(),
        notebookContent([
          'print("not a notification")',
          'from jupyterlab_lmk import notify\nnotify("epoch 10 done", title="Training")'
        ])
      );
      const watcher = new KernelNotifyWatcher({
        notebook,
        sessionContext: session(),
        onRequest: request => seen.push(request)
      });
      await NotebookActions.runAll(notebook, session());
      await new Promise(r => setTimeout(r, 300));
      expect(seen).toHaveLength(1);
      expect(seen[0].payload).toMatchObject({
        message: 'epoch 10 done',
        title: 'Training',
        contentType: 'text/markdown'
      });
      expect(seen[0].payload.id).toMatch(/^[0-9a-f]{32}$/);
      expect(seen[0].cellId).toBe(notebook.widgets[1].model.id);

      // Save, then open the saved notebook again: the output is there, and
      // nothing is sent.
      const saved = notebook.model!.toJSON();
      watcher.dispose();
      notebook.dispose();
      const reopened = createNotebook(session(), saved as any);
      const again: IKernelNotifyRequest[] = [];
      const second = new KernelNotifyWatcher({
        notebook: reopened,
        sessionContext: session(),
        onRequest: request => again.push(request)
      });
      const outputs = (reopened.widgets[1].model as CodeCellModel).outputs;
      expect(outputs.length).toBe(1);
      await new Promise(r => setTimeout(r, 300));
      expect(again).toHaveLength(0);
      second.dispose();
      reopened.dispose();
    });
  });

  describe('run notifications with report values', () => {
    it('adds the notebook report values to the event', async () => {
      const sent: ILmkNotification[] = [];
      const notifier = recordingNotifier(sent);
      const tracker = new RunTracker();
      const content = notebookContent([
        'answer = 21',
        'import time; time.sleep(0.2)'
      ]);
      content.metadata = {
        lmk: { report: { answer: 'answer * 2', broken: 'answer / 0' } }
      };
      const notebook = createNotebook(session(), content);
      tracker.watch(notebook, session(), () => 'report.ipynb');
      new RunNotifier({
        runs: tracker,
        notifier,
        settings: () => ({ ...DEFAULT_SETTINGS, threshold: 0 }),
        notebookUrl: path => `http://127.0.0.1/lab/tree/${path}`,
        findNotebook: () =>
          notebookLookup({ model: notebook.model, sessionContext: session() }),
        whenDone: new NotifyWhenDone(),
        trans
      });
      await NotebookActions.runAll(notebook, session());
      for (let i = 0; i < 100 && sent.length === 0; i++) {
        await new Promise(r => setTimeout(r, 50));
      }
      expect(sent).toHaveLength(1);
      expect(sent[0].event.report).toEqual({
        answer: '42',
        broken: 'ZeroDivisionError'
      });
      expect(sent[0].event.text).toContain('answer: 42');
      tracker.dispose();
      notebook.dispose();
    });
  });
});
