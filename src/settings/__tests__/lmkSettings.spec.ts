import { nullTranslator } from '@jupyterlab/translation';
import {
  DEFAULT_SETTINGS,
  isAwayOnlyChannel,
  readSettings
} from '../lmkSettings';

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
        channels: [
          {
            id: 'hook',
            type: 'webhook',
            enabled: false,
            url: 'https://example.org/hook'
          }
        ]
      },
      trans
    );
    expect(settings.threshold).toBe(5);
    expect(settings.channels).toEqual([
      {
        id: 'hook',
        type: 'webhook',
        enabled: false,
        url: 'https://example.org/hook'
      }
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

  it('drops channel options of the wrong type, naming each', () => {
    const { settings, problems } = readSettings(
      {
        channels: [
          {
            id: 'lab',
            type: 'toast',
            enabled: true,
            autoClose: 'soon',
            awayOnly: 'yes',
            name: 'Lab'
          },
          {
            id: 'hook',
            type: 'webhook',
            enabled: true,
            url: 'https://example.org/hook',
            perMinute: 0,
            default: false
          }
        ]
      },
      trans
    );
    expect(settings.channels).toEqual([
      { id: 'lab', type: 'toast', enabled: true, name: 'Lab' },
      {
        id: 'hook',
        type: 'webhook',
        enabled: true,
        url: 'https://example.org/hook',
        default: false
      }
    ]);
    expect(problems).toEqual([
      'Channel "lab": "awayOnly" must be true or false; its default applies.',
      'Channel "lab": "autoClose" must be a number (not negative); its default applies.',
      'Channel "hook": "perMinute" must be a number (not negative); its default applies.'
    ]);
  });

  it('keeps the default channels when "channels" is not a list', () => {
    const { settings, problems } = readSettings({ channels: {} }, trans);
    expect(settings.channels).toEqual(DEFAULT_SETTINGS.channels);
    expect(problems).toHaveLength(1);
  });

  it('keeps valid rule settings', () => {
    const { settings, problems } = readSettings(
      {
        mode: 'on-error',
        stillRunningMinutes: 0.5,
        awayOnly: false,
        awaySeconds: 0,
        includeSource: true,
        outputLines: 12
      },
      trans
    );
    expect(settings).toMatchObject({
      mode: 'on-error',
      stillRunningMinutes: 0.5,
      awayOnly: false,
      awaySeconds: 0,
      includeSource: true,
      outputLines: 12
    });
    expect(problems).toEqual([]);
  });

  it.each([
    ['mode', 'sometimes', 'default'],
    ['stillRunningMinutes', 0, 10],
    ['awayOnly', 'yes', true],
    ['awaySeconds', -5, 120],
    ['includeSource', 1, false],
    ['outputLines', 500, 0]
  ])(
    'replaces a malformed %s (%p) by its default and names it',
    (key, value, fallback) => {
      const { settings, problems } = readSettings({ [key]: value }, trans);
      expect((settings as unknown as Record<string, unknown>)[key]).toBe(
        fallback
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(key);
    }
  );

  it('names every value it ignores, in full: keys of another version, unknown channel types, addresses that are not web addresses', () => {
    const { settings, problems } = readSettings(
      {
        threshold: -5,
        onlyOnWeekdays: true,
        $schema: 'https://example.org/schema.json',
        channels: [
          { id: 'hook', type: 'webhook', enabled: true, url: 'file:///etc' },
          { id: 'tg', type: 'telegram', enabled: true },
          { id: 'phone', type: 'ntfy', enabled: true, server: 'ntfy.sh' },
          { id: 'x', type: 'x-extension', enabled: true }
        ],
        remoteServers: [
          { id: 'r', kind: 'jupyter', url: 'javascript:alert(1)', token: 't' }
        ],
        accounts: {
          matrix: {
            homeserver: 'matrix.example.org',
            userId: '@me:example.org',
            deviceId: 'DEV',
            accessToken: 'syt_secret'
          },
          slack: { token: 'later' }
        }
      },
      trans,
      { isKnownType: type => type !== 'telegram' }
    );
    expect(problems).toEqual([
      '"onlyOnWeekdays" is not a setting of this version of jupyterlab-lmk; it is left in the file and has no effect.',
      '"threshold" must be a number of seconds, 0 or more; using 30.',
      'The saved login "slack" is not one this version knows; it is left in the file and not used.',
      'The saved Matrix login is incomplete (or its homeserver is not a web address); log in again.',
      'Remote server "r": "url" is not a web address (http:// or https://); it is ignored.',
      'Channel "hook": "url" is not a web address (http:// or https://), so this channel cannot send.',
      'Channel "tg" has the type "telegram", which this lab does not know (a typo, or an extension that is not installed); it sends nothing.',
      'Channel "phone": "server" is not a web address (http:// or https://), so this channel cannot send.'
    ]);
    // Channels are kept, so that the panel can show and fix them.
    expect(settings.channels.map(c => c.id)).toEqual([
      'hook',
      'tg',
      'phone',
      'x'
    ]);
    expect(settings.remoteServers).toEqual([]);
    expect(problems.join(' ')).not.toContain('syt_secret');
  });

  it('does not check channel types before it is told which are known', () => {
    const { problems } = readSettings(
      { channels: [{ id: 'tg', type: 'telegram', enabled: true }] },
      trans
    );
    expect(problems).toEqual([]);
  });

  it('makes every channel but the toast wait for the user to be away, unless it says otherwise', () => {
    expect(isAwayOnlyChannel({ id: 'lab', type: 'toast', enabled: true })).toBe(
      false
    );
    expect(isAwayOnlyChannel({ id: 'd', type: 'desktop', enabled: true })).toBe(
      true
    );
    expect(
      isAwayOnlyChannel({
        id: 'd',
        type: 'desktop',
        enabled: true,
        awayOnly: false
      })
    ).toBe(false);
    expect(
      isAwayOnlyChannel({
        id: 'lab',
        type: 'toast',
        enabled: true,
        awayOnly: true
      })
    ).toBe(true);
  });

  it('keeps complete logins and drops an incomplete one, saying to log in again', () => {
    const matrix = {
      homeserver: 'https://matrix.example.org',
      userId: '@me:example.org',
      deviceId: 'DEV',
      accessToken: 'syt_secret'
    };
    const { settings, problems } = readSettings(
      {
        accounts: {
          matrix,
          ntfy: { server: 'https://ntfy.sh', username: 'me' }
        }
      },
      trans
    );
    expect(settings.accounts).toEqual({ matrix });
    expect(problems).toEqual([
      'The saved ntfy login is incomplete (or its server is not a web address); log in again.'
    ]);
    expect(problems.join(' ')).not.toContain('syt_secret');
  });

  it('keeps well-formed remote servers and names the ones it drops, never their tokens', () => {
    const hub = {
      id: 'hub',
      kind: 'hub',
      name: 'Campus hub',
      url: 'https://hub.example.org',
      token: 'hub-secret'
    };
    const { settings, problems } = readSettings(
      {
        remoteServers: [
          hub,
          { id: 'hub', kind: 'hub', url: 'https://other.example.org' },
          { id: 'x', kind: 'ftp', url: 'ftp://example.org', token: 'x-secret' },
          { id: 'local', kind: 'jupyter', url: 'http://127.0.0.1:1' },
          { id: 'bare', kind: 'skaha', url: 'https://ws.example.org/skaha/v0' }
        ]
      },
      trans
    );
    expect(settings.remoteServers).toEqual([
      hub,
      {
        id: 'bare',
        kind: 'skaha',
        name: 'https://ws.example.org/skaha/v0',
        url: 'https://ws.example.org/skaha/v0',
        token: ''
      }
    ]);
    expect(problems).toHaveLength(3);
    expect(problems[1]).toContain('jupyter, hub or skaha');
    expect(problems.join(' ')).not.toContain('secret');
    expect(readSettings({ remoteServers: 'x' }, trans).problems).toEqual([
      '"remoteServers" must be a list; ignoring it.'
    ]);
  });

  it('reads how long remote deliveries are retried, within a week', () => {
    expect(readSettings({ retryMinutes: 5 }, trans).settings.retryMinutes).toBe(
      5
    );
    const { settings, problems } = readSettings(
      { retryMinutes: 100000 },
      trans
    );
    expect(settings.retryMinutes).toBe(60);
    expect(problems[0]).toContain('retryMinutes');
  });

  it('reads the flood limit, 0 meaning no limit', () => {
    expect(readSettings({ floodLimit: 0 }, trans).settings.floodLimit).toBe(0);
    const { settings, problems } = readSettings({ floodLimit: -1 }, trans);
    expect(settings.floodLimit).toBe(3);
    expect(problems[0]).toContain('floodLimit');
  });
});
