import { type ICellReply, Run } from '../run';

const t0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (seconds: number) =>
  new Date(t0 + seconds * 1000).toISOString().replace('Z', '123Z');

function makeRun(ids: string[], now: () => number = () => t0) {
  return new Run({
    id: 'run-1',
    cells: ids.map((id, index) => ({ id, index, stopOnError: true })),
    now
  });
}

const ok = (count: number, started: number, date: number): ICellReply => ({
  status: 'ok',
  executionCount: count,
  started: iso(started),
  date: iso(date)
});

describe('Run', () => {
  it('ends as finished when its last cell has replied', () => {
    const run = makeRun(['a', 'b']);
    run.cellStarted('a', iso(0));
    expect(run.cellReplied('a', ok(1, 0, 1))).toBe(false);
    expect(run.isDone).toBe(false);
    run.cellStarted('b', iso(1));
    expect(run.cellReplied('b', ok(2, 1, 4))).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(2);
    expect(run.durationSeconds).toBeCloseTo(4, 3);
    expect(run.kernelTiming).toBe(true);
  });

  it('ends at the first error and reports the failing cell', () => {
    const run = makeRun(['a', 'b', 'c']);
    run.cellReplied('a', ok(1, 0, 1));
    const ended = run.cellReplied('b', {
      status: 'error',
      executionCount: 2,
      ename: 'ValueError',
      evalue: 'bad',
      traceback: ['line 1', 'ValueError: bad'],
      started: iso(1),
      date: iso(2)
    });
    expect(ended).toBe(true);
    expect(run.outcome).toBe('failed');
    expect(run.failure).toEqual({
      cellId: 'b',
      index: 1,
      executionCount: 2,
      ename: 'ValueError',
      evalue: 'bad',
      traceback: ['line 1', 'ValueError: bad']
    });
    expect(run.executed).toBe(2);
    // The aborted rest arrives later and changes nothing.
    expect(
      run.cellReplied('c', { status: 'aborted', executionCount: null })
    ).toBe(false);
    expect(run.executed).toBe(2);
  });

  it('goes on after an error in a cell tagged raises-exception', () => {
    const run = new Run({
      id: 'r',
      cells: [
        { id: 'a', index: 0, stopOnError: false },
        { id: 'b', index: 1, stopOnError: true }
      ],
      now: () => t0
    });
    expect(
      run.cellReplied('a', {
        status: 'error',
        executionCount: 1,
        ename: 'ValueError',
        evalue: 'expected'
      })
    ).toBe(false);
    expect(run.cellReplied('b', ok(2, 1, 2))).toBe(true);
    expect(run.outcome).toBe('failed');
    expect(run.executed).toBe(2);
  });

  it.each([
    ['KeyboardInterrupt', 'interrupted'],
    ['InterruptException', 'interrupted'],
    ['NameError', 'failed']
  ])('an error named %s makes the run %s', (ename, outcome) => {
    const run = makeRun(['a', 'b']);
    run.cellReplied('a', {
      status: 'error',
      executionCount: 1,
      ename,
      evalue: ''
    });
    expect(run.outcome).toBe(outcome);
  });

  it.each([
    ['died', 'kernel-died'],
    ['restarted', 'kernel-restarted']
  ] as const)('ends when the kernel %s', (how, outcome) => {
    const run = makeRun(['a']);
    run.cellStarted('a', iso(0));
    expect(run.kernelLost(how)).toBe(true);
    expect(run.outcome).toBe(outcome);
    expect(run.executed).toBe(0);
    expect(run.kernelLost(how)).toBe(false);
  });

  it('drops cancelled cells and ends cancelled when nothing ran', () => {
    const run = makeRun(['a', 'b']);
    expect(run.cellCancelled('a')).toBe(false);
    expect(run.cellCancelled('b')).toBe(true);
    expect(run.outcome).toBe('cancelled');
  });

  it('counts only cells that ran when some were cancelled', () => {
    const run = makeRun(['a', 'b']);
    run.cellReplied('a', ok(1, 0, 1));
    expect(run.cellCancelled('b')).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(1);
  });

  it('does not count time queued behind another run', () => {
    // Scheduled at t0, but the kernel only starts it at t0 + 60 s.
    let now = t0;
    const run = makeRun(['a'], () => now);
    now = t0 + 60_000;
    run.cellStarted('a', iso(60));
    now = t0 + 62_000;
    run.cellReplied('a', ok(1, 60, 62));
    expect(run.durationSeconds).toBeCloseTo(2, 3);
    expect(new Date(run.startedMs).toISOString()).toBe(
      '2026-01-01T10:01:00.000Z'
    );
  });

  it('never mixes clocks: a kernel clock an hour off still gives the right duration', () => {
    const kernelOffset = 3600;
    let now = t0;
    const run = makeRun(['a'], () => now);
    run.cellStarted('a', iso(kernelOffset));
    now = t0 + 5000;
    // The kernel dies: no reply, the end is extrapolated on the kernel clock.
    run.kernelLost('died');
    expect(run.durationSeconds).toBeCloseTo(5, 3);
  });

  it('falls back to the browser clock for kernels that send no dates', () => {
    let now = t0;
    const run = makeRun(['a'], () => now);
    run.cellStarted('a');
    now = t0 + 7000;
    run.cellReplied('a', { status: 'ok', executionCount: 1 });
    expect(run.kernelTiming).toBe(false);
    expect(run.durationSeconds).toBeCloseTo(7, 3);
  });

  it('ignores facts about cells it does not hold', () => {
    const run = makeRun(['a']);
    run.cellStarted('zzz', iso(0));
    expect(run.cellReplied('zzz', ok(1, 0, 1))).toBe(false);
    expect(run.cellCancelled('zzz')).toBe(false);
    expect(run.isDone).toBe(false);
  });
});
