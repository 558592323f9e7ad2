import { type ICellReply, Run } from '../run';

const t0 = Date.parse('2026-01-01T10:00:00.000Z');
const iso = (seconds: number) =>
  new Date(t0 + seconds * 1000).toISOString().replace('Z', '123Z');

function makeRun(size: number, now: () => number = () => t0) {
  return new Run({ id: 'run-1', size, now });
}

const ok = (count: number, started: number, date: number): ICellReply => ({
  status: 'ok',
  executionCount: count,
  started: iso(started),
  date: iso(date)
});

describe('Run', () => {
  it('ends as finished when its last cell has replied', () => {
    const run = makeRun(2);
    run.cellStarted(0, iso(0));
    expect(run.cellReplied(0, ok(1, 0, 1))).toBe(false);
    expect(run.isDone).toBe(false);
    run.cellStarted(1, iso(1));
    expect(run.cellReplied(1, ok(2, 1, 4))).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(2);
    expect(run.durationSeconds).toBeCloseTo(4, 3);
    expect(run.kernelTiming).toBe(true);
  });

  it('ends at the first error and reports the failing cell', () => {
    const run = makeRun(3);
    run.cellReplied(0, ok(1, 0, 1));
    const ended = run.cellReplied(1, {
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
      position: 1,
      executionCount: 2,
      ename: 'ValueError',
      evalue: 'bad',
      traceback: ['line 1', 'ValueError: bad']
    });
    expect(run.executed).toBe(2);
    // The aborted rest arrives later and changes nothing.
    expect(
      run.cellReplied(2, { status: 'aborted', executionCount: null })
    ).toBe(false);
    expect(run.executed).toBe(2);
  });

  it('goes on after an error in a cell tagged raises-exception', () => {
    const run = makeRun(2);
    expect(
      run.cellReplied(
        0,
        {
          status: 'error',
          executionCount: 1,
          ename: 'ValueError',
          evalue: 'expected'
        },
        false
      )
    ).toBe(false);
    expect(run.cellReplied(1, ok(2, 1, 2))).toBe(true);
    expect(run.outcome).toBe('failed');
    expect(run.executed).toBe(2);
  });

  it.each([
    ['KeyboardInterrupt', 'interrupted'],
    ['InterruptException', 'interrupted'],
    ['NameError', 'failed']
  ])('an error named %s makes the run %s', (ename, outcome) => {
    const run = makeRun(2);
    run.cellReplied(0, {
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
    const run = makeRun(1);
    run.cellStarted(0, iso(0));
    expect(run.kernelLost(how)).toBe(true);
    expect(run.outcome).toBe(outcome);
    expect(run.executed).toBe(0);
    expect(run.kernelLost(how)).toBe(false);
  });

  it('drops cancelled cells and ends cancelled when nothing ran', () => {
    const run = makeRun(2);
    expect(run.cellCancelled(0)).toBe(false);
    expect(run.cellCancelled(1)).toBe(true);
    expect(run.outcome).toBe('cancelled');
  });

  it('counts only cells that ran when some were cancelled', () => {
    const run = makeRun(2);
    run.cellReplied(0, ok(1, 0, 1));
    expect(run.cellCancelled(1)).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(1);
  });

  it('does not count time queued behind another run', () => {
    // Scheduled at t0, but the kernel only starts it at t0 + 60 s.
    let now = t0;
    const run = makeRun(1, () => now);
    now = t0 + 60_000;
    run.cellStarted(0, iso(60));
    now = t0 + 62_000;
    run.cellReplied(0, ok(1, 60, 62));
    expect(run.durationSeconds).toBeCloseTo(2, 3);
    expect(new Date(run.startedMs).toISOString()).toBe(
      '2026-01-01T10:01:00.000Z'
    );
  });

  it('never mixes clocks: a kernel clock an hour off still gives the right duration', () => {
    const kernelOffset = 3600;
    let now = t0;
    const run = makeRun(1, () => now);
    run.cellStarted(0, iso(kernelOffset));
    now = t0 + 5000;
    // The kernel dies: no reply, the end is extrapolated on the kernel clock.
    run.kernelLost('died');
    expect(run.durationSeconds).toBeCloseTo(5, 3);
  });

  it('falls back to the browser clock for kernels that send no dates', () => {
    let now = t0;
    const run = makeRun(1, () => now);
    run.cellStarted(0);
    now = t0 + 7000;
    run.cellReplied(0, { status: 'ok', executionCount: 1 });
    expect(run.kernelTiming).toBe(false);
    expect(run.durationSeconds).toBeCloseTo(7, 3);
  });

  it('ignores facts about cells it does not hold', () => {
    const run = makeRun(1);
    run.cellStarted(7, iso(0));
    expect(run.cellReplied(7, ok(1, 0, 1))).toBe(false);
    expect(run.cellCancelled(7)).toBe(false);
    expect(run.isDone).toBe(false);
  });

  it('points at the first cell not settled, and at none once done', () => {
    const run = makeRun(3);
    expect(run.currentPosition()).toBe(0);
    run.cellReplied(0, ok(1, 0, 1));
    run.cellCancelled(1);
    expect(run.currentPosition()).toBe(2);
    run.cellReplied(2, ok(2, 1, 2));
    expect(run.isDone).toBe(true);
    expect(run.currentPosition()).toBe(-1);
    expect(run.isPending(2)).toBe(false);
  });

  it('keeps no cell pending once the kernel is lost', () => {
    const run = makeRun(2);
    run.kernelLost('died');
    expect(run.isPending(0)).toBe(false);
    expect(run.currentPosition()).toBe(-1);
  });

  it('takes an ok reply as its two kernel times, once', () => {
    const run = makeRun(2);
    expect(run.cellSucceeded(0, iso(0), iso(1))).toBe(false);
    expect(run.cellSucceeded(1, iso(1), iso(3))).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(2);
    expect(run.durationSeconds).toBeCloseTo(3, 3);
    expect(run.cellSucceeded(1, iso(1), iso(9))).toBe(false);
    expect(run.durationSeconds).toBeCloseTo(3, 3);
  });

  it('takes the latest cell seen starting as the current one, before earlier replies arrive', () => {
    const run = makeRun(3);
    run.cellStarted(0, iso(0));
    // Cell 1 asks for input while cell 0's reply is still on its way.
    run.cellStarted(1);
    expect(run.currentPosition()).toBe(1);
    run.cellReplied(0, ok(1, 0, 1));
    expect(run.currentPosition()).toBe(1);
    run.cellReplied(1, ok(2, 1, 2));
    expect(run.currentPosition()).toBe(2);
  });
});
