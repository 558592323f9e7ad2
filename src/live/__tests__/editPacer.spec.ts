import { EditPacer } from '../editPacer';

describe('pacing of a status message’s edits', () => {
  it('lets the first edit go at once', () => {
    const pacer = new EditPacer(10_000);
    expect(pacer.nextProgressAt(5)).toBe(5);
  });

  it('spaces progress edits by the interval from the end of the last edit', () => {
    const pacer = new EditPacer(10_000);
    pacer.started();
    // A slow request: 3 s on its way.
    pacer.completed(3_000);
    expect(pacer.nextProgressAt(4_000)).toBe(13_000);
    expect(pacer.nextProgressAt(20_000)).toBe(20_000);
  });

  it('holds a progress edit while another edit is on its way', () => {
    const pacer = new EditPacer(10_000);
    pacer.started();
    expect(pacer.busy).toBe(true);
    expect(pacer.nextProgressAt(50_000)).toBeNull();
    pacer.completed(50_000);
    expect(pacer.busy).toBe(false);
    expect(pacer.nextProgressAt(50_001)).toBe(60_000);
  });

  it('keeps the next progress edit away from an answer sent at once', () => {
    const pacer = new EditPacer(10_000);
    pacer.started();
    pacer.completed(0);
    // An answer to a command goes out at 2 s, not waiting for the pacer...
    pacer.started();
    pacer.completed(2_000);
    // ...and the next progress edit keeps 10 s from it.
    expect(pacer.nextProgressAt(10_000)).toBe(12_000);
  });

  it('never allows two edits within the interval over a long run', () => {
    const pacer = new EditPacer(10_000);
    const sent: number[] = [];
    let now = 0;
    for (let step = 0; step < 500; step++) {
      now += 700; // Looked at every 0.7 s.
      const at = pacer.nextProgressAt(now);
      if (at !== null && at <= now) {
        pacer.started();
        sent.push(now);
        now += 150; // The request takes 150 ms.
        pacer.completed(now);
      }
    }
    for (let i = 1; i < sent.length; i++) {
      expect(sent[i] - sent[i - 1]).toBeGreaterThanOrEqual(10_000);
    }
    expect(sent.length).toBeGreaterThan(30);
  });
});
