import { type NotifyMode, NOTIFY_MODES } from '../../rules/notifyMode';
import { shouldNotifyRun } from '../../rules/runRule';
import { relayRule, requestModes } from '../relayRule';
import { readMode } from '../../rules/notifyMode';

describe('relayRule', () => {
  const threshold = 30;
  const levels: (NotifyMode | null)[] = [null, ...NOTIFY_MODES];

  it('says, per outcome, exactly what the lab would decide at any duration', () => {
    for (const globalMode of NOTIFY_MODES) {
      for (const notebookMode of levels) {
        for (const cellModes of [
          [],
          [null],
          ['never'],
          ['always', null]
        ] as (NotifyMode | null)[][]) {
          for (const armed of [false, true]) {
            const rule = relayRule({
              threshold,
              globalMode,
              notebookMode,
              cellModes,
              armed
            });
            for (const outcome of [
              'finished',
              'failed',
              'interrupted'
            ] as const) {
              for (const durationSeconds of [0, 5, 29.9, 30, 3600]) {
                const limit = rule[outcome];
                const kernelSays = limit !== null && durationSeconds >= limit;
                expect(kernelSays).toBe(
                  shouldNotifyRun({
                    outcome,
                    durationSeconds,
                    threshold,
                    globalMode,
                    notebookMode,
                    cellModes,
                    armed
                  })
                );
              }
            }
          }
        }
      }
    }
  });

  it('is short to hand over: never, always, or from the threshold', () => {
    expect(
      relayRule({
        threshold,
        globalMode: 'default',
        notebookMode: null,
        cellModes: [],
        armed: false
      })
    ).toEqual({ finished: 30, failed: 30, interrupted: null });
    expect(
      relayRule({
        threshold,
        globalMode: 'default',
        notebookMode: 'on-error',
        cellModes: [],
        armed: false
      })
    ).toEqual({ finished: null, failed: 0, interrupted: null });
    expect(
      relayRule({
        threshold,
        globalMode: 'never',
        notebookMode: null,
        cellModes: [],
        armed: true
      })
    ).toEqual({ finished: 0, failed: 0, interrupted: 0 });
  });
});

describe('requestModes', () => {
  it("reads each cell's mode from its execute request's metadata, once per mode", () => {
    const requests = [
      { metadata: { cellId: 'a' } },
      { metadata: { cellId: 'b', lmk: { mode: 'always' } } },
      { metadata: { cellId: 'c', lmk: { mode: 'always' } } },
      { metadata: { cellId: 'd', lmk: { mode: 'bogus' } } }
    ];
    expect(requestModes(requests, readMode)).toEqual(new Set([null, 'always']));
  });
});
