import { nullTranslator } from '@jupyterlab/translation';
import { DEFAULT_SETTINGS, readSettings } from '../lmkSettings';

const trans = nullTranslator.load('jupyterlab_lmk');

describe('readSettings', () => {
  it('gives the embedded default for empty settings: toast and desktop, 30 s', () => {
    const { settings, problems } = readSettings({}, trans);
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings.threshold).toBe(30);
    expect(settings.channels.map(c => c.type)).toEqual(['toast', 'desktop']);
    expect(problems).toEqual([]);
  });

  it('keeps valid values, extra channel options included', () => {
    const { settings, problems } = readSettings(
      {
        threshold: 5,
        channels: [{ id: 'hook', type: 'webhook', enabled: false, url: 'x' }]
      },
      trans
    );
    expect(settings.threshold).toBe(5);
    expect(settings.channels).toEqual([
      { id: 'hook', type: 'webhook', enabled: false, url: 'x' }
    ]);
    expect(problems).toEqual([]);
  });

  it.each([[-1], ['30'], [Number.NaN], [null]])(
    'replaces a malformed threshold (%p) by the default and says so',
    threshold => {
      const { settings, problems } = readSettings({ threshold }, trans);
      expect(settings.threshold).toBe(30);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('threshold');
    }
  );

  it('skips malformed and duplicate channels, naming each', () => {
    const { settings, problems } = readSettings(
      {
        channels: [
          { id: 'lab', type: 'toast', enabled: true },
          { id: '', type: 'toast', enabled: true },
          { id: 'x', type: 'toast' },
          'nonsense',
          { id: 'lab', type: 'desktop', enabled: true }
        ]
      },
      trans
    );
    expect(settings.channels).toEqual([
      { id: 'lab', type: 'toast', enabled: true }
    ]);
    expect(problems).toHaveLength(4);
    expect(problems[3]).toContain('"lab" is used twice');
  });

  it('keeps the default channels when "channels" is not a list', () => {
    const { settings, problems } = readSettings({ channels: {} }, trans);
    expect(settings.channels).toEqual(DEFAULT_SETTINGS.channels);
    expect(problems).toHaveLength(1);
  });
});
