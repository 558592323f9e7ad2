import type { LmkEventKind } from '../../tokens';
import { FloodGuard } from '../floodGuard';

type Step = [number, LmkEventKind];

/**
 * Feed a guard (3 per notebook per minute) a sequence of notifications
 * about one notebook; return which were sent and what each sent one says
 * was held before it.
 */
function replay(steps: Step[]): string[] {
  const guard = new FloodGuard({ limit: 3, windowMs: 60_000 });
  return steps.map(([at, kind]) => {
    const verdict = guard.offer('nb.ipynb', kind, at * 1000);
    if (!verdict.send) {
      return 'held';
    }
    return verdict.held ? `sent+${JSON.stringify(verdict.held)}` : 'sent';
  });
}

describe('FloodGuard', () => {
  it.each([
    [
      'three failures in a minute all go out',
      [
        [0, 'run.failed'],
        [10, 'run.failed'],
        [20, 'run.failed']
      ],
      ['sent', 'sent', 'sent']
    ],
    [
      'a failing loop: the fourth and later failures in the minute are held',
      [
        [0, 'run.failed'],
        [1, 'run.failed'],
        [2, 'run.failed'],
        [3, 'run.failed'],
        [4, 'run.failed'],
        [5, 'run.failed']
      ],
      ['sent', 'sent', 'sent', 'held', 'held', 'held']
    ],
    [
      'the next one after the window says what was held',
      [
        [0, 'run.failed'],
        [1, 'run.failed'],
        [2, 'run.failed'],
        [3, 'run.failed'],
        [4, 'run.finished'],
        [61, 'run.failed']
      ],
      [
        'sent',
        'sent',
        'sent',
        'held',
        'held',
        'sent+{"run.failed":1,"run.finished":1}'
      ]
    ],
    [
      'spread-out runs are never held',
      [
        [0, 'run.finished'],
        [30, 'run.finished'],
        [60, 'run.finished'],
        [90, 'run.finished'],
        [120, 'run.finished']
      ],
      ['sent', 'sent', 'sent', 'sent', 'sent']
    ]
  ] as [string, Step[], string[]][])('%s', (_, steps, expected) => {
    expect(replay(steps)).toEqual(expected);
  });

  it('counts each notebook on its own', () => {
    const guard = new FloodGuard({ limit: 1, windowMs: 60_000 });
    expect(guard.offer('a.ipynb', 'run.failed', 0).send).toBe(true);
    expect(guard.offer('b.ipynb', 'run.failed', 0).send).toBe(true);
    expect(guard.offer('a.ipynb', 'run.failed', 1).send).toBe(false);
  });

  it('says when a summary can go out, and flushes it once', () => {
    const guard = new FloodGuard({ limit: 2, windowMs: 60_000 });
    guard.offer('a.ipynb', 'run.failed', 0);
    guard.offer('a.ipynb', 'run.failed', 1000);
    const held = guard.offer('a.ipynb', 'run.failed', 2000);
    expect(held).toEqual({ send: false, retryAt: 60_000 });
    expect(guard.flush('a.ipynb', 30_000)).toEqual({
      held: null,
      retryAt: 60_000
    });
    expect(guard.flush('a.ipynb', 60_000)).toEqual({
      held: { 'run.failed': 1 },
      retryAt: null
    });
    expect(guard.flush('a.ipynb', 60_001)).toEqual({
      held: null,
      retryAt: null
    });
  });

  it('forgets notebooks that have been quiet for a window', () => {
    const guard = new FloodGuard({ limit: 3, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) {
      guard.offer(`nb-${i}.ipynb`, 'run.finished', i);
    }
    expect(guard.size).toBe(100);
    guard.offer('late.ipynb', 'run.finished', 200_000);
    expect(guard.size).toBe(1);
  });

  it('with limit 0 lets everything through and remembers nothing', () => {
    const guard = new FloodGuard({ limit: 0 });
    for (let i = 0; i < 50; i++) {
      expect(guard.offer('a.ipynb', 'run.failed', i)).toEqual({
        send: true,
        held: null
      });
    }
    expect(guard.size).toBe(0);
  });

  it('reads a limit given as a function at each offer (settings apply live)', () => {
    let limit = 1;
    const guard = new FloodGuard({ limit: () => limit, windowMs: 60_000 });
    expect(guard.offer('a.ipynb', 'run.failed', 0).send).toBe(true);
    expect(guard.offer('a.ipynb', 'run.failed', 1).send).toBe(false);
    limit = 3;
    expect(guard.offer('a.ipynb', 'run.failed', 2)).toEqual({
      send: true,
      held: { 'run.failed': 1 }
    });
  });
});
