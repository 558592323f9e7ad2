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
});
