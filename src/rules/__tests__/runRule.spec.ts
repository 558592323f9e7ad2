import type { RunOutcome } from '../../tokens';
import type { NotifyMode } from '../notifyMode';
import { readMode, withMode } from '../notifyMode';
import {
  shouldNotifyRun,
  wantsInputAlert,
  wantsStillRunning
} from '../runRule';

type Mode = NotifyMode | null;

/**
 * One row: global mode, notebook mode, the run's cell modes, outcome,
 * duration (threshold 30 s), armed → notified?
 */
const PRECEDENCE: [Mode, Mode, Mode[], RunOutcome, number, boolean, boolean][] =
  [
    // The default rule: the threshold decides finished and failed runs.
    ['default', null, [null], 'finished', 30, false, true],
    ['default', null, [null], 'finished', 29.9, false, false],
    ['default', null, [null], 'failed', 31, false, true],
    ['default', null, [null], 'failed', 2, false, false],
    // Interrupts are the user's own doing; cancelled runs have nothing.
    ['default', null, [null], 'interrupted', 600, false, false],
    ['always', null, [null], 'interrupted', 600, false, false],
    ['default', null, [null], 'cancelled', 600, false, false],
    // Kernel loss is reported whatever the threshold...
    ['default', null, [null], 'kernel-died', 1, false, true],
    ['default', null, [null], 'kernel-restarted', 1, false, true],
    ['on-error', null, [null], 'kernel-died', 1, false, true],
    // ...unless every cell of the run is silenced.
    ['default', 'never', [null], 'kernel-died', 100, false, false],
    ['default', 'never', [null, 'always'], 'kernel-died', 1, false, true],
    // The notebook overrides the global mode.
    ['default', 'always', [null], 'finished', 1, false, true],
    ['always', 'never', [null], 'finished', 100, false, false],
    ['never', null, [null], 'failed', 100, false, false],
    ['never', 'default', [null], 'failed', 100, false, true],
    ['default', 'on-error', [null], 'finished', 100, false, false],
    ['default', 'on-error', [null], 'failed', 1, false, true],
    ['default', 'still-running', [null], 'finished', 30, false, true],
    ['default', 'still-running', [null], 'finished', 5, false, false],
    // A cell overrides the notebook: the nearer wins.
    ['default', 'never', ['always'], 'finished', 1, false, true],
    ['default', 'always', ['never'], 'finished', 100, false, false],
    ['default', null, ['on-error'], 'finished', 100, false, false],
    ['default', null, ['on-error'], 'failed', 1, false, true],
    // A run notifies if any of its cells asks for it.
    ['default', null, ['never', 'always', null], 'finished', 1, true, true],
    ['default', null, ['never', null, null], 'finished', 1, false, false],
    ['default', null, ['never', null, null], 'finished', 40, false, true],
    ['default', 'never', ['never', 'never'], 'finished', 40, false, false],
    // A cell marked never does not hide a failure the notebook asks for.
    ['default', 'on-error', ['never'], 'failed', 1, false, true],
    ['on-error', null, ['never'], 'failed', 1, false, true],
    ['default', 'always', ['never'], 'failed', 1, false, true],
    // ...but under the default rule the cell's never stands.
    ['default', 'default', ['never'], 'failed', 100, false, false],
    // "Notify me when this run ends" beats every mode, but not a cancel.
    ['never', 'never', ['never'], 'finished', 0.1, true, true],
    ['default', null, [null], 'interrupted', 1, true, true],
    ['default', null, [null], 'cancelled', 100, true, false],
    // A run without cells follows the notebook.
    ['default', 'always', [], 'finished', 1, false, true]
  ];

describe('shouldNotifyRun: precedence of global, notebook and cell modes', () => {
  it.each(PRECEDENCE)(
    'global %s, notebook %s, cells %j: %s after %p s (armed %p) -> %p',
    (
      globalMode,
      notebookMode,
      cellModes,
      outcome,
      seconds,
      armed,
      expected
    ) => {
      expect(
        shouldNotifyRun({
          outcome,
          durationSeconds: seconds,
          threshold: 30,
          globalMode: globalMode!,
          notebookMode,
          cellModes,
          armed
        })
      ).toBe(expected);
    }
  );
});

describe('wantsStillRunning', () => {
  it.each([
    ['still-running', null, [null], true],
    ['default', 'still-running', [null], true],
    ['default', null, [null, 'still-running'], true],
    ['still-running', null, ['never'], false],
    ['still-running', 'default', [null], false],
    ['default', null, [null], false]
  ] as [NotifyMode, Mode, Mode[], boolean][])(
    'global %s, notebook %s, cells %j -> %p',
    (globalMode, notebookMode, cells, expected) => {
      expect(wantsStillRunning(globalMode, notebookMode, cells)).toBe(expected);
    }
  );
});

describe('wantsInputAlert', () => {
  it.each([
    ['default', null, [null], true],
    ['on-error', null, [null], true],
    ['default', 'never', [null], false],
    ['default', null, ['never'], false],
    ['default', 'never', ['always'], true],
    ['never', null, [null, null], false]
  ] as [NotifyMode, Mode, Mode[], boolean][])(
    'global %s, notebook %s, cells %j -> %p',
    (globalMode, notebookMode, cells, expected) => {
      expect(wantsInputAlert(globalMode, notebookMode, cells)).toBe(expected);
    }
  );
});

describe('mode metadata', () => {
  it('reads a valid mode and ignores anything else', () => {
    expect(readMode({ mode: 'on-error' })).toBe('on-error');
    expect(readMode({ mode: 'sometimes' })).toBeNull();
    expect(readMode('always')).toBeNull();
    expect(readMode(undefined)).toBeNull();
  });

  it('keeps other lmk keys when the mode changes, and empties to null', () => {
    const report = { loss: 'loss' };
    expect(withMode({ report }, 'always')).toEqual({ report, mode: 'always' });
    expect(withMode({ report, mode: 'always' }, null)).toEqual({ report });
    expect(withMode({ mode: 'never' }, null)).toBeNull();
  });
});
