/**
 * CodeRun against a real Jupyter server and ipykernel.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { useKernel } from '../../../__tests__/kernelFixtures';
import { stripAnsi } from '../../../messages/format';
import { CodeRun, DEFAULT_THROTTLE_MS, type ICodeRunOptions } from '../codeRun';
import { useUnlimitedJupyterServer } from './runCodeFixtures';

useUnlimitedJupyterServer();

const runs: CodeRun[] = [];

/** Start a run, disposed after the test. */
function start(
  kernel: Kernel.IKernelConnection,
  code: string,
  options: ICodeRunOptions
): CodeRun {
  const run = new CodeRun(kernel, code, options);
  runs.push(run);
  return run;
}

afterEach(() => {
  for (const run of runs.splice(0)) {
    run.dispose();
  }
});

/** Run code to its end. */
async function runToEnd(
  kernel: Kernel.IKernelConnection,
  code: string,
  options: Partial<ICodeRunOptions> = {}
): Promise<CodeRun> {
  const run = start(kernel, code, { timeoutMs: 20_000, ...options });
  await run.ended;
  return run;
}

/** Resolve once `test` holds for the run (checked on each change). */
function when(run: CodeRun, test: (run: CodeRun) => boolean): Promise<void> {
  return new Promise(resolve => {
    const check = () => {
      if (test(run)) {
        run.changed.disconnect(check);
        resolve();
      }
    };
    run.changed.connect(check);
    check();
  });
}

describe('CodeRun with a real kernel', () => {
  const session = useKernel();
  const kernel = () => session().session!.kernel!;

  it('keeps stdout and stderr apart', async () => {
    const run = await runToEnd(
      kernel(),
      'import sys\nprint("to out")\nsys.stderr.write("to err\\n")\nprint("out again")'
    );
    expect(run.state).toBe('done');
    expect(run.stdout.text()).toBe('to out\nout again\n');
    expect(run.stderr.text()).toBe('to err\n');
    expect(run.error).toBeNull();
    expect(run.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('collects displays and the expression value as mime bundles', async () => {
    const run = await runToEnd(
      kernel(),
      'from IPython.display import display, HTML\ndisplay(HTML("<b>bold</b>"))\n6 * 7',
      { storeHistory: true }
    );
    expect(run.state).toBe('done');
    expect(run.results.map(r => r.type)).toEqual([
      'display_data',
      'execute_result'
    ]);
    expect(run.results[0].data['text/html']).toBe('<b>bold</b>');
    expect(run.results[1].data['text/plain']).toBe('42');
    expect(run.executionCount).toEqual(expect.any(Number));
  });

  it('applies display updates to the display they name', async () => {
    const run = await runToEnd(
      kernel(),
      [
        'from IPython.display import display',
        'h = display("first", display_id=True)',
        'for i in range(5):',
        '    h.update(f"update {i}")'
      ].join('\n')
    );
    expect(run.results).toHaveLength(1);
    expect(run.results[0].data['text/plain']).toBe("'update 4'");
    expect(run.results[0].version).toBe(5);
  });

  it('reports the error with its name and traceback', async () => {
    const run = await runToEnd(kernel(), 'x = 1\n1/0');
    expect(run.state).toBe('error');
    expect(run.error?.ename).toBe('ZeroDivisionError');
    expect(stripAnsi(run.error!.traceback.join('\n'))).toMatch(
      /---->\s*2\s+1\/0/
    );
    expect(run.interrupted).toBe(false);
  });

  it('gives input() the kernel error when prompts are not answered', async () => {
    const onInput = jest.fn(async () => 'never');
    const run = await runToEnd(kernel(), 'input("Name? ")', {
      allowStdin: false,
      onInput
    });
    expect(run.allowStdin).toBe(false);
    expect(run.state).toBe('error');
    expect(run.error?.ename).toBe('StdinNotImplementedError');
    expect(onInput).not.toHaveBeenCalled();
  });

  it('answers input prompts through onInput when allowed', async () => {
    const prompts: [string, boolean][] = [];
    const run = await runToEnd(
      kernel(),
      'import getpass\nname = input("Name? ")\nsecret = getpass.getpass("Secret? ")\nprint("hello", name, len(secret))',
      {
        allowStdin: true,
        onInput: async (prompt, password) => {
          prompts.push([prompt, password]);
          return password ? 'hunter2' : 'Ada';
        }
      }
    );
    expect(prompts).toEqual([
      ['Name? ', false],
      ['Secret? ', true]
    ]);
    expect(run.state).toBe('done');
    expect(run.stdout.text()).toContain('hello Ada 7');
    expect(run.pendingInput).toBeNull();
  });

  it('goes on past its timeout, and an interrupt ends it with KeyboardInterrupt', async () => {
    const run = start(kernel(), 'import time\ntime.sleep(30)', {
      timeoutMs: 300
    });
    await when(run, r => r.state === 'slow');
    expect(run.isEnded).toBe(false);
    await run.interrupt();
    await run.ended;
    expect(run.state).toBe('error');
    expect(run.error?.ename).toBe('KeyboardInterrupt');
    expect(run.interrupted).toBe(true);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  it('ends only after both the reply and the idle status came', async () => {
    const seen: string[] = [];
    const record = (
      _: Kernel.IKernelConnection,
      args: Kernel.IAnyMessageArgs
    ) => {
      const msg = args.msg;
      const parent = (msg.parent_header as KernelMessage.IHeader).msg_id;
      if (parent !== run.msgId) {
        return;
      }
      if (msg.header.msg_type === 'execute_reply') {
        seen.push('reply');
      } else if (
        msg.header.msg_type === 'status' &&
        (msg as KernelMessage.IStatusMsg).content.execution_state === 'idle'
      ) {
        seen.push('idle');
      }
    };
    kernel().anyMessage.connect(record);
    const run = start(kernel(), 'print("hi")', { timeoutMs: 20_000 });
    const atEnd = await run.ended.then(() => [...seen].sort());
    kernel().anyMessage.disconnect(record);
    expect(atEnd).toEqual(['idle', 'reply']);
    expect(run.stdout.text()).toBe('hi\n');
  });

  it('collects 20 MB printed in thousands of pieces, redrawing at most once per throttle interval', async () => {
    let changes = 0;
    let streamMessages = 0;
    const count = (
      _: Kernel.IKernelConnection,
      msg: KernelMessage.IIOPubMessage
    ) => {
      if (msg.header.msg_type === 'stream') {
        streamMessages++;
      }
    };
    kernel().iopubMessage.connect(count);
    const started = Date.now();
    const run = start(
      kernel(),
      'import sys\nfor i in range(4000):\n    sys.stdout.write("z" * 4999 + "\\n")\n    if i % 4 == 0: sys.stdout.flush()',
      { timeoutMs: 60_000 }
    );
    run.changed.connect(() => changes++);
    await run.ended;
    kernel().iopubMessage.disconnect(count);
    expect(run.state).toBe('done');
    expect(run.stderr.text()).toBe('');
    expect(streamMessages).toBeGreaterThan(500);
    expect(run.stdout.total).toBe(20_000_000);
    expect(run.stdout.dropped).toBe(0);
    expect(run.stdout.length).toBe(20_000_000);
    expect(run.stdout.tail(5)).toBe('zzzz\n');
    // Throttled: the panel redraws at most once per throttle interval, plus
    // once each when it starts and ends, however fast the output came.
    const elapsed = Date.now() - started;
    expect(changes).toBeLessThanOrEqual(
      Math.floor(elapsed / DEFAULT_THROTTLE_MS) + 5
    );
  }, 40_000);

  it('drops and counts the oldest output beyond its cap', async () => {
    const run = await runToEnd(
      kernel(),
      'for i in range(100):\n    print(str(i % 10) * 999)',
      { maxStreamChars: 10_000 }
    );
    expect(run.stdout.total).toBe(100_000);
    expect(run.stdout.length).toBe(10_000);
    expect(run.stdout.dropped).toBe(90_000);
    expect(run.stdout.text().startsWith('0'.repeat(999) + '\n')).toBe(true);
  });

  it('keeps at most maxResults rich results and counts the rest', async () => {
    const run = await runToEnd(
      kernel(),
      'from IPython.display import display\nfor i in range(8):\n    display(i)',
      { maxResults: 3 }
    );
    expect(run.results).toHaveLength(3);
    expect(run.droppedResults).toBe(5);
  });
});

describe('CodeRun when the kernel restarts', () => {
  const session = useKernel();

  it('ends with kernel-restarted and says so', async () => {
    const kernel = session().session!.kernel!;
    const run = start(kernel, 'import time\ntime.sleep(30)', {
      timeoutMs: 20_000
    });
    await when(run, r => r.started);
    const started = Date.now();
    await kernel.restart();
    await run.ended;
    expect(run.state).toBe('kernel-restarted');
    expect(run.message).toMatch(/restarted/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('ends with kernel-restarted when another client restarts the kernel', async () => {
    const kernel = session().session!.kernel!;
    await kernel.info;
    const run = start(kernel, 'import time\ntime.sleep(30)', {
      timeoutMs: 20_000
    });
    await when(run, r => r.started);
    const other = kernel.clone();
    const started = Date.now();
    await other.restart();
    other.dispose();
    await run.ended;
    expect(run.state).toBe('kernel-restarted');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('cannot send to a disposed connection, and says what to do', async () => {
    const kernel = session().session!.kernel!;
    const other = kernel.clone();
    other.dispose();
    const run = start(other, 'print(1)', { timeoutMs: 1000 });
    await run.ended;
    expect(run.state).toBe('failed');
    expect(run.message).toMatch(/could not be sent/);
  });
});
