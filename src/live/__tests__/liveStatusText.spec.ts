import { nullTranslator } from '@jupyterlab/translation';
import { matrixNoticeContent } from '../../messages/matrixFormat';
import type { IRunSummary } from '../../tokens';
import {
  buildLiveStatus,
  clockTime,
  type ILiveSnapshot,
  lastLine,
  liveElapsed
} from '../liveStatusText';

const trans = nullTranslator.load('jupyterlab_lmk');
const matrix = { kind: 'matrix' as const, owner: '@alice:example.org' };

function snapshot(overrides: Partial<ILiveSnapshot> = {}): ILiveSnapshot {
  return {
    notebookPath: 'work/train.ipynb',
    notebookUrl: 'http://lab.example/lab/tree/work/train.ipynb',
    kernel: { id: 'k1', name: 'python3' },
    cells: 8,
    executed: 2,
    started: '2026-12-06T01:00:00.000Z',
    elapsedSeconds: 754,
    firstLine: null,
    lastOutput: null,
    ...overrides
  };
}

function summary(overrides: Partial<IRunSummary> = {}): IRunSummary {
  return {
    id: 'run-1',
    outcome: 'finished',
    notebookPath: 'work/train.ipynb',
    kernel: { id: 'k1', name: 'python3' },
    cells: 8,
    executed: 8,
    started: '2026-12-06T01:00:00.000Z',
    finished: '2026-12-06T02:02:00.000Z',
    durationSeconds: 3720,
    kernelTiming: true,
    lastCellId: 'c8',
    cellIds: [],
    failure: null,
    ...overrides
  };
}

describe('the live status message', () => {
  it('says where a run is: cell k of N and the time on the kernel clock', () => {
    const status = buildLiveStatus(
      snapshot(),
      { kind: 'running' },
      {},
      matrix,
      trans
    );
    expect(status.title).toBe('train.ipynb: cell 3 of 8, 12 min');
    expect(status.text).toContain(
      'Running for 12 min (kernel clock), at cell 3 of 8.'
    );
    expect(status.event).toBe('run.still_running');
    expect(status.run).toMatchObject({ cells: 8, executed: 2, finished: null });
    expect(status.notebook?.url).toBe(
      'http://lab.example/lab/tree/work/train.ipynb'
    );
  });

  it('tells the owner how to stop or mute it from the phone', () => {
    const text = buildLiveStatus(
      snapshot(),
      { kind: 'running' },
      {},
      matrix,
      trans
    ).text;
    expect(text).toContain('react with 🛑 or reply "stop"');
    expect(text).toContain('from @alice:example.org only');
    const ntfy = buildLiveStatus(
      snapshot(),
      { kind: 'running' },
      {},
      { kind: 'ntfy' },
      trans
    ).text;
    expect(ntfy).toContain('Tap Interrupt to stop it, or Mute');
  });

  it('shows the first line and the last output only when given, as code', () => {
    const bare = buildLiveStatus(
      snapshot(),
      { kind: 'running' },
      {},
      matrix,
      trans
    );
    expect(bare.text).not.toContain('Cell:');
    expect(bare.text).not.toContain('Last output:');
    const status = buildLiveStatus(
      snapshot({
        firstLine: 'for epoch in range(`100`):',
        lastOutput: 'epoch 41/100 loss=0.23 @room'
      }),
      { kind: 'running' },
      {},
      matrix,
      trans
    );
    expect(status.text).toContain('Cell: for epoch in range(`100`):');
    expect(status.text).toContain('Last output: epoch 41/100 loss=0.23 @room');
    expect(status.message).toContain('``for epoch in range(`100`):``');
  });

  it('says when the phone interrupted or muted the run', () => {
    const at = new Date(2026, 11, 6, 2, 13).getTime();
    const status = buildLiveStatus(
      snapshot(),
      { kind: 'running' },
      { interruptedAt: at, mutedAt: at },
      matrix,
      trans
    );
    expect(status.text).toContain('Interrupted from the phone at 02:13.');
    expect(status.text).toContain('Muted from the phone at 02:13');
    // Nothing left to ask.
    expect(status.text).not.toContain('react with');
  });

  it('says the outcome once the run ended', () => {
    const finished = buildLiveStatus(
      snapshot(),
      { kind: 'ended', summary: summary() },
      {},
      matrix,
      trans
    );
    expect(finished.title).toBe('train.ipynb finished');
    expect(finished.event).toBe('run.finished');
    expect(finished.text).toContain(
      'Finished in 1 h 02 min. 8 of 8 cells ran.'
    );
    expect(finished.text).not.toContain('react with');

    const at = new Date(2026, 11, 6, 2, 13).getTime();
    const interrupted = buildLiveStatus(
      snapshot(),
      {
        kind: 'ended',
        summary: summary({
          outcome: 'interrupted',
          executed: 3,
          durationSeconds: 754,
          failure: {
            cellId: 'c3',
            index: 4,
            executionCount: 7,
            ename: 'KeyboardInterrupt',
            evalue: '',
            traceback: []
          }
        })
      },
      { interruptedAt: at },
      matrix,
      trans
    );
    expect(interrupted.title).toBe(
      'train.ipynb was interrupted from the phone at 02:13'
    );
    expect(interrupted.text).toContain(
      'Interrupted from the phone at 02:13, at cell 5 (In [7]) after 12 min 34 s.'
    );
  });

  it('says when sharing stopped in the lab', () => {
    const at = new Date(2026, 11, 6, 2, 20).getTime();
    const status = buildLiveStatus(
      snapshot(),
      { kind: 'stopped', at },
      {},
      matrix,
      trans
    );
    expect(status.title).toBe('train.ipynb: no longer shared live');
    expect(status.text).toContain('Sharing stopped in the lab at 02:20');
  });

  it('keeps user text out of the markup and mentions nobody on Matrix', async () => {
    const status = buildLiveStatus(
      snapshot({
        lastOutput: '<img src=x onerror=alert(1)> [x](javascript:alert(1))'
      }),
      { kind: 'running' },
      {},
      matrix,
      trans
    );
    const content = await matrixNoticeContent(status);
    expect(content.formatted_body).not.toContain('<img');
    expect(content.formatted_body).not.toContain('href="javascript');
  });
});

describe('live status helpers', () => {
  it('shows elapsed time coarsely, so it does not change every second', () => {
    expect(liveElapsed(7, trans)).toBe('0 s');
    expect(liveElapsed(47, trans)).toBe('40 s');
    expect(liveElapsed(754, trans)).toBe('12 min');
    expect(liveElapsed(3720, trans)).toBe('1 h 02 min');
  });

  it('writes clock times as HH:MM', () => {
    expect(clockTime(new Date(2026, 0, 1, 2, 3).getTime())).toBe('02:03');
    expect(clockTime(new Date(2026, 0, 1, 23, 59).getTime())).toBe('23:59');
  });

  it('takes the last line a person would read in an output', () => {
    expect(lastLine('a\nb\n\n')).toBe('b');
    expect(lastLine('10%|#  \r50%|#####  \r')).toBe('50%|#####');
    expect(lastLine('\u001b[31mred\u001b[0m\n')).toBe('red');
    expect(lastLine('')).toBe('');
  });
});
