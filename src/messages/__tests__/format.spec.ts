import { nullTranslator } from '@jupyterlab/translation';
import {
  baseName,
  boundTraceback,
  cellLabel,
  humanDuration,
  stripAnsi
} from '../format';

const trans = nullTranslator.load('jupyterlab_lmk');

describe('humanDuration', () => {
  it.each([
    [0, '0 s'],
    [3.14159, '3.1 s'],
    [45, '45 s'],
    [59.6, '1 min 00 s'],
    [185, '3 min 05 s'],
    [2 * 3600 + 3 * 60 + 9, '2 h 03 min'],
    [26 * 3600 + 120, '1 d 2 h'],
    [3 * 86400 + 4 * 3600, '3 d 4 h'],
    [-5, '0 s'],
    [Number.NaN, '0 s']
  ])('%p seconds reads "%s"', (seconds, expected) => {
    expect(humanDuration(seconds, trans)).toBe(expected);
  });
});

describe('stripAnsi', () => {
  it('removes colours and hyperlinks but keeps the text', () => {
    const coloured =
      '\u001b[0;31mZeroDivisionError\u001b[0m: division by zero \u001b]8;;file:///x.py\u0007x.py\u001b]8;;\u0007';
    expect(stripAnsi(coloured)).toBe(
      'ZeroDivisionError: division by zero x.py'
    );
  });
});

describe('boundTraceback', () => {
  it('keeps short tracebacks whole, split into lines', () => {
    expect(boundTraceback(['a\nb', '\u001b[31mc\u001b[0m'])).toEqual([
      'a',
      'b',
      'c'
    ]);
  });

  it('keeps the tail of a long traceback, marked as cut', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `frame ${i}`);
    const kept = boundTraceback(lines, 5, 10_000);
    expect(kept).toEqual([
      '…',
      'frame 995',
      'frame 996',
      'frame 997',
      'frame 998',
      'frame 999'
    ]);
  });

  it('bounds a huge single line by characters', () => {
    const kept = boundTraceback(['x'.repeat(1_000_000)], 30, 4000);
    const total = kept.join('\n').length;
    expect(total).toBeLessThanOrEqual(4000 + 2);
    expect(kept[kept.length - 1].startsWith('…')).toBe(true);
  });
});

describe('baseName', () => {
  it.each([
    ['a/b/c.ipynb', 'c.ipynb'],
    ['c.ipynb', 'c.ipynb']
  ])('%s -> %s', (path, name) => {
    expect(baseName(path)).toBe(name);
  });
});

describe('cellLabel', () => {
  it('names a cell by its position and the In [n] the lab shows left of it', () => {
    expect(cellLabel(1, 2, trans)).toBe('cell 2 (In [2])');
    expect(cellLabel(41, 7, trans)).toBe('cell 42 (In [7])');
  });

  it('says only the position while the cell has no execution count', () => {
    expect(cellLabel(0, null, trans)).toBe('cell 1');
  });

  it('says "?" for a cell no longer in the notebook', () => {
    expect(cellLabel(-1, 3, trans)).toBe('cell ? (In [3])');
  });
});
