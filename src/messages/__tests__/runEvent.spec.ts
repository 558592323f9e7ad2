import { nullTranslator } from '@jupyterlab/translation';
import type { IRunSummary } from '../../tokens';
import { buildManualEvent, buildRunEvent } from '../runEvent';

const trans = nullTranslator.load('jupyterlab_lmk');
const url = 'http://127.0.0.1:8888/hub/user/ada/lab/tree/runs/train.ipynb';

function summary(overrides: Partial<IRunSummary> = {}): IRunSummary {
  return {
    id: 'msg-1',
    outcome: 'finished',
    notebookPath: 'runs/train.ipynb',
    kernel: { id: 'k-1', name: 'python3' },
    cells: 12,
    executed: 12,
    started: '2026-01-01T10:00:00.000Z',
    finished: '2026-01-01T10:03:05.000Z',
    durationSeconds: 185,
    kernelTiming: true,
    lastCellId: 'c12',
    cellIds: ['c12'],
    failure: null,
    ...overrides
  };
}

describe('buildRunEvent', () => {
  it('describes a finished run in the webhook event shape', () => {
    const event = buildRunEvent(summary(), url, trans)!;
    expect(event).toEqual({
      version: 1,
      event: 'run.finished',
      title: 'train.ipynb finished',
      message: expect.stringContaining(`[train.ipynb](${url})`),
      text: 'Finished in 3 min 05 s. 12 of 12 cells executed.',
      notebook: { path: 'runs/train.ipynb', name: 'train.ipynb', url },
      run: {
        cells: 12,
        executed: 12,
        started: '2026-01-01T10:00:00.000Z',
        finished: '2026-01-01T10:03:05.000Z',
        duration_s: 185
      },
      cell: null,
      error: null,
      kernel: { id: 'k-1', name: 'python3' },
      report: null
    });
    // The whole event is plain JSON.
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });

  it('names the failing cell (one-based, with its count) and the error', () => {
    const event = buildRunEvent(
      summary({
        outcome: 'failed',
        executed: 3,
        durationSeconds: 42,
        failure: {
          cellId: 'c3',
          index: 2,
          executionCount: 7,
          ename: 'ZeroDivisionError',
          evalue: 'division by zero',
          traceback: [
            '\u001b[0;31m---------\u001b[0m',
            'Cell \u001b[0;32mIn[7], line 1\u001b[0m',
            '\u001b[0;31mZeroDivisionError\u001b[0m: division by zero'
          ]
        }
      }),
      url,
      trans
    )!;
    expect(event.event).toBe('run.failed');
    expect(event.title).toBe('train.ipynb failed');
    expect(event.text.split('\n').slice(0, 2)).toEqual([
      'Failed at cell 3 (In [7]) after 42 s. 3 of 12 cells executed.',
      'ZeroDivisionError: division by zero'
    ]);
    expect(event.cell).toEqual({ index: 2, execution_count: 7 });
    expect(event.error).toEqual({
      ename: 'ZeroDivisionError',
      evalue: 'division by zero',
      traceback: [
        '---------',
        'Cell In[7], line 1',
        'ZeroDivisionError: division by zero'
      ]
    });
    expect(event.message).toContain('**ZeroDivisionError: division by zero**');
    expect(event.message).not.toContain('\u001b');
  });

  it.each([
    ['interrupted', 'run.interrupted', 'train.ipynb was interrupted'],
    ['kernel-died', 'kernel.died', 'train.ipynb: the kernel died'],
    [
      'kernel-restarted',
      'kernel.restarted',
      'train.ipynb: the kernel restarted'
    ]
  ] as const)('maps %s to %s', (outcome, kind, title) => {
    const event = buildRunEvent(summary({ outcome }), url, trans)!;
    expect(event.event).toBe(kind);
    expect(event.title).toBe(title);
  });

  it('has nothing to say about a cancelled run', () => {
    expect(buildRunEvent(summary({ outcome: 'cancelled' }), url, trans)).toBe(
      null
    );
  });

  it('escapes markdown in notebook names', () => {
    const event = buildRunEvent(
      summary({ notebookPath: 'my_[draft]*.ipynb' }),
      url,
      trans
    )!;
    expect(event.message).toContain('[my\\_\\[draft\\]\\*.ipynb]');
  });
});

describe('buildManualEvent', () => {
  it('makes a manual event with no notebook or run', () => {
    expect(buildManualEvent('epoch 10 done', 'Training')).toMatchObject({
      version: 1,
      event: 'manual',
      title: 'Training',
      text: 'epoch 10 done',
      notebook: null,
      run: null
    });
  });
});
