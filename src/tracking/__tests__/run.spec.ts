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
  it('ends as finished once every cell has replied, timed by the kernel', () => {
    const run = makeRun(3);
    run.started(iso(0));
    expect(run.cellSucceeded(0)).toBe(true);
    expect(run.cellSucceeded(1)).toBe(true);
    expect(run.isDone).toBe(false);
    expect(run.cellReplied(2, ok(3, 3, 4))).toBe(false);
    expect(run.settled(iso(4))).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(3);
    expect(run.durationSeconds).toBeCloseTo(4, 3);
    expect(run.kernelTiming).toBe(true);
    expect(run.settled(iso(9))).toBe(false);
    expect(run.durationSeconds).toBeCloseTo(4, 3);
  });

  it('counts a cell that succeeded once', () => {
    const run = makeRun(2);
    expect(run.cellSucceeded(0)).toBe(true);
    expect(run.cellSucceeded(0)).toBe(false);
    expect(run.cellReplied(0, ok(1, 0, 1))).toBe(false);
    expect(run.executed).toBe(1);
  });

  it('settles the cells before one that replies: the kernel runs them in order', () => {
    const run = makeRun(4);
    // Cell 1 was deleted (or run again) before it ran: no reply comes.
    run.cellSucceeded(0);
    run.cellSucceeded(2);
    expect(run.isPending(1)).toBe(false);
    expect(run.cellSucceeded(1)).toBe(false);
    expect(run.next).toBe(3);
    expect(run.isPending(3)).toBe(true);
    expect(run.executed).toBe(2);
  });

  it('ends at the first error and reports the failing cell', () => {
    const run = makeRun(3);
    run.cellSucceeded(0);
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
    expect(run.settled()).toBe(false);
    expect(run.executed).toBe(2);
    expect(run.outcome).toBe('failed');
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
    expect(run.isDone).toBe(false);
    run.cellReplied(1, ok(2, 1, 2));
    expect(run.settled(iso(2))).toBe(true);
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

  it('ends interrupted even in a cell that goes on past errors', () => {
    const run = makeRun(2);
    const ended = run.cellReplied(
      0,
      { status: 'error', executionCount: 1, ename: 'KeyboardInterrupt' },
      false
    );
    expect(ended).toBe(true);
    expect(run.outcome).toBe('interrupted');
  });

  it.each([
    ['died', 'kernel-died'],
    ['restarted', 'kernel-restarted']
  ] as const)('ends when the kernel %s', (how, outcome) => {
    const run = makeRun(1);
    run.started(iso(0));
    expect(run.kernelLost(how)).toBe(true);
    expect(run.outcome).toBe(outcome);
    expect(run.executed).toBe(0);
    expect(run.kernelLost(how)).toBe(false);
    expect(run.settled()).toBe(false);
    expect(run.outcome).toBe(outcome);
  });

  it('ends cancelled when no cell ran', () => {
    const run = makeRun(2);
    expect(
      run.cellReplied(0, { status: 'aborted', executionCount: null })
    ).toBe(false);
    expect(run.settled()).toBe(true);
    expect(run.outcome).toBe('cancelled');
    expect(run.executed).toBe(0);
  });

  it('counts only cells that ran when some were cancelled', () => {
    const run = makeRun(3);
    run.cellSucceeded(0);
    // Cell 1 was deleted before it ran; cell 2 replied last.
    run.cellReplied(2, ok(2, 1, 2));
    expect(run.settled(iso(2))).toBe(true);
    expect(run.outcome).toBe('finished');
    expect(run.executed).toBe(2);
  });

  it('does not count time queued behind another run', () => {
    // Scheduled at t0, but the kernel only starts it at t0 + 60 s.
    let now = t0;
    const run = makeRun(1, () => now);
    now = t0 + 60_000;
    run.started(iso(60));
    now = t0 + 62_000;
    run.cellReplied(0, ok(1, 60, 62));
    run.settled(iso(62));
    expect(run.durationSeconds).toBeCloseTo(2, 3);
    expect(new Date(run.startedMs).toISOString()).toBe(
      '2026-01-01T10:01:00.000Z'
    );
  });

  it('takes the first start only: the kernel runs the cells in order', () => {
    const run = makeRun(2);
    run.started(iso(5));
    run.started(iso(1));
    run.cellReplied(0, ok(1, 7, 8));
    expect(new Date(run.startedMs).toISOString()).toBe(
      '2026-01-01T10:00:05.000Z'
    );
  });

  it('takes the start from a reply when the start was not seen', () => {
    const run = makeRun(1);
    run.cellReplied(0, ok(1, 3, 5));
    run.settled(iso(5));
    expect(run.kernelTiming).toBe(true);
    expect(run.durationSeconds).toBeCloseTo(2, 3);
  });

  it('never mixes clocks: a kernel clock an hour off still gives the right duration', () => {
    const kernelOffset = 3600;
    let now = t0;
    const run = makeRun(2, () => now);
    run.started(iso(kernelOffset));
    now = t0 + 3000;
    expect(run.durationSeconds).toBeCloseTo(3, 3);
    run.cellSucceeded(0);
    now = t0 + 5000;
    // The kernel dies: no reply, the end is extrapolated on the kernel clock.
    run.kernelLost('died');
    expect(run.durationSeconds).toBeCloseTo(5, 3);
  });

  it('falls back to the browser clock for kernels that send no dates', () => {
    let now = t0;
    const run = makeRun(1, () => now);
    run.started();
    now = t0 + 7000;
    run.cellReplied(0, { status: 'ok', executionCount: 1 });
    run.settled();
    expect(run.kernelTiming).toBe(false);
    expect(run.durationSeconds).toBeCloseTo(7, 3);
  });

  it('ignores facts about cells it does not hold', () => {
    const run = makeRun(1);
    expect(run.cellSucceeded(7)).toBe(false);
    expect(run.cellReplied(7, ok(1, 0, 1))).toBe(false);
    expect(run.isPending(7)).toBe(false);
    expect(run.executed).toBe(0);
    expect(run.isDone).toBe(false);
  });

  it('keeps no cell pending once it is done', () => {
    const run = makeRun(3);
    expect(run.isPending(0)).toBe(true);
    run.cellSucceeded(0);
    expect(run.isPending(0)).toBe(false);
    expect(run.isPending(1)).toBe(true);
    run.kernelLost('died');
    expect(run.isPending(1)).toBe(false);
    expect(run.isPending(2)).toBe(false);
  });
});
