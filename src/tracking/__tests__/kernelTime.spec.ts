import { parseKernelTime } from '../kernelTime';

describe('parseKernelTime', () => {
  it.each([
    ['2026-01-01T10:00:00.123456Z', Date.UTC(2026, 0, 1, 10, 0, 0, 123)],
    ['2026-01-01T10:00:00.123456+00:00', Date.UTC(2026, 0, 1, 10, 0, 0, 123)],
    ['2026-01-01T10:00:00Z', Date.UTC(2026, 0, 1, 10, 0, 0, 0)]
  ])('reads %s', (text, expected) => {
    expect(parseKernelTime(text)).toBe(expected);
  });

  it.each([[undefined], [''], ['yesterday'], [42]])(
    'returns null for %p',
    value => {
      expect(parseKernelTime(value)).toBeNull();
    }
  );
});
