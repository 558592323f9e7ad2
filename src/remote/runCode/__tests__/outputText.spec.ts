import { OutputText } from '../outputText';

describe('OutputText', () => {
  it('keeps everything below its cap, in order', () => {
    const text = new OutputText(100);
    text.append('hello ');
    text.append('');
    text.append('world');
    expect(text.text()).toBe('hello world');
    expect(text.length).toBe(11);
    expect(text.dropped).toBe(0);
    expect(text.total).toBe(11);
    expect(text.tail(5)).toBe('world');
    expect(text.tail(1000)).toBe('hello world');
  });

  it('drops the oldest text beyond its cap and counts it', () => {
    const text = new OutputText(10);
    for (let i = 0; i < 10; i++) {
      text.append(String(i).repeat(3));
    }
    // 30 characters written, the last 10 kept.
    expect(text.text()).toBe('6777888999');
    expect(text.dropped).toBe(20);
    expect(text.total).toBe(30);
  });

  it('keeps the end of one write larger than the cap', () => {
    const text = new OutputText(4);
    text.append('ab');
    text.append('0123456789');
    expect(text.text()).toBe('6789');
    expect(text.dropped).toBe(8);
  });

  it('holds megabytes written in thousands of pieces in few chunks, quickly', () => {
    const text = new OutputText(8 * 1024 * 1024);
    const piece = 'y'.repeat(999) + '\n';
    const started = Date.now();
    for (let i = 0; i < 20_000; i++) {
      text.append(piece);
    }
    expect(text.total).toBe(20_000_000);
    expect(text.length).toBe(8 * 1024 * 1024);
    expect(text.dropped).toBe(20_000_000 - 8 * 1024 * 1024);
    expect(text.chunks().length).toBeLessThan(200);
    expect(text.chunks().join('').length).toBe(text.length);
    expect(text.tail(2000)).toBe(piece + piece);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('forgets everything on clear but still tells a change', () => {
    const text = new OutputText(4);
    text.append('123456');
    const version = text.version;
    text.clear();
    expect(text.text()).toBe('');
    expect(text.total).toBe(0);
    expect(text.version).toBeGreaterThan(version);
  });
});
