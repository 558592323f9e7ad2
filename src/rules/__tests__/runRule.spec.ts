import type { IRunSummary, RunOutcome } from '../../tokens';
import { shouldNotifyRun } from '../runRule';

function summary(outcome: RunOutcome, durationSeconds: number): IRunSummary {
  return {
    id: 'r',
    outcome,
    notebookPath: 'a.ipynb',
    kernel: null,
    cells: 1,
    executed: 1,
    started: '',
    finished: '',
    durationSeconds,
    kernelTiming: true,
    lastCellId: 'c',
    failure: null
  };
}

describe('shouldNotifyRun (default rule, threshold 30 s)', () => {
  it.each([
    ['finished', 30, true],
    ['finished', 29.9, false],
    ['failed', 31, true],
    ['failed', 2, false],
    ['kernel-died', 60, true],
    ['interrupted', 600, false],
    ['kernel-restarted', 600, false],
    ['cancelled', 600, false]
  ] as const)('%s after %p s -> %p', (outcome, seconds, expected) => {
    expect(shouldNotifyRun(summary(outcome, seconds), 30)).toBe(expected);
  });
});
