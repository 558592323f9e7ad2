import { placeMenu } from '../menuPlacement';

const viewport = { width: 1000, height: 800 };
const menu = { width: 300, height: 200 };

/** A 24 px bell at (x, y). */
function bell(x: number, y: number) {
  return { left: x, right: x + 24, top: y, bottom: y + 24 };
}

describe('placeMenu', () => {
  it('opens a toolbar menu under its button, from the button’s left edge', () => {
    expect(placeMenu('below', bell(100, 40), menu, viewport)).toEqual({
      x: 100,
      y: 64
    });
  });

  it('opens a cell toolbar menu above the bell, right-aligned with it, off the cell’s output', () => {
    expect(placeMenu('above', bell(900, 400), menu, viewport)).toEqual({
      x: 624,
      y: 200
    });
  });

  it('falls back to below the bell when there is no room above in the notebook', () => {
    const notebook = { top: 100, left: 0, right: 1000, bottom: 800 };
    expect(
      placeMenu('above', bell(900, 150), menu, viewport, notebook)
    ).toEqual({ x: 624, y: 174 });
  });

  it('stays in the viewport', () => {
    expect(placeMenu('below', bell(900, 700), menu, viewport)).toEqual({
      x: 700,
      y: 600
    });
    expect(placeMenu('above', bell(100, 400), menu, viewport).x).toBe(0);
  });
});
