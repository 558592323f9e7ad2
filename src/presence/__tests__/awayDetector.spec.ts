import { AwayDetector } from '../awayDetector';

describe('AwayDetector', () => {
  let now: number;
  let visibility: DocumentVisibilityState;
  let detector: AwayDetector;

  beforeEach(() => {
    now = 0;
    visibility = 'visible';
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility
    });
    detector = new AwayDetector({ idleSeconds: () => 60, now: () => now });
  });

  afterEach(() => {
    detector.dispose();
  });

  it('counts a hidden tab as away at once', () => {
    expect(detector.isAway).toBe(false);
    visibility = 'hidden';
    expect(detector.isAway).toBe(true);
  });

  it('counts no keyboard or mouse activity for the idle time as away', () => {
    now = 59_000;
    expect(detector.isAway).toBe(false);
    now = 60_000;
    expect(detector.isAway).toBe(true);
    document.body.dispatchEvent(
      new KeyboardEvent('keydown', { bubbles: true })
    );
    expect(detector.isAway).toBe(false);
    now = 100_000;
    document.dispatchEvent(new Event('pointermove'));
    expect(detector.isAway).toBe(false);
  });

  it('with an idle time of 0, only a hidden tab counts', () => {
    detector.dispose();
    detector = new AwayDetector({ idleSeconds: () => 0, now: () => now });
    now = 10_000_000;
    expect(detector.isAway).toBe(false);
  });

  it('stops listening when disposed', () => {
    now = 60_000;
    detector.dispose();
    document.dispatchEvent(new Event('keydown'));
    expect(detector.isAway).toBe(true);
  });

  describe('says when the user goes away and comes back', () => {
    let changes: boolean[];

    beforeEach(() => {
      jest.useFakeTimers();
      detector.dispose();
      now = 0;
      detector = new AwayDetector({ idleSeconds: () => 60, now: () => now });
      changes = [];
      detector.changed.connect((_, away) => changes.push(away));
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('when the tab is hidden and shown again', () => {
      visibility = 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
      visibility = 'visible';
      document.dispatchEvent(new Event('visibilitychange'));
      expect(changes).toEqual([true, false]);
    });

    it('when the idle time has passed, and at the next keystroke', () => {
      now = 30_000;
      jest.advanceTimersByTime(30_000);
      expect(changes).toEqual([]);
      now = 60_100;
      jest.advanceTimersByTime(30_100);
      expect(changes).toEqual([true]);
      document.dispatchEvent(new Event('keydown'));
      expect(changes).toEqual([true, false]);
    });

    it('not while the user keeps working', () => {
      for (let t = 10_000; t <= 300_000; t += 10_000) {
        now = t;
        document.dispatchEvent(new Event('pointermove'));
        jest.advanceTimersByTime(10_000);
      }
      expect(changes).toEqual([]);
    });
  });
});
