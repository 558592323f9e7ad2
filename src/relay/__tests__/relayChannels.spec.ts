import { nullTranslator } from '@jupyterlab/translation';
import type { IChannelConfig } from '../../tokens';
import {
  allowsClosedBrowser,
  closedBrowserField,
  kernelChannels,
  kernelAccounts
} from '../relayChannels';

const trans = nullTranslator.load('jupyterlab_lmk');

const channels: IChannelConfig[] = [
  { id: 'lab', type: 'toast', enabled: true },
  { id: 'desktop', type: 'desktop', enabled: true },
  { id: 'phone', type: 'ntfy', enabled: true, topic: 'runs' },
  { id: 'hook', type: 'webhook', enabled: true, url: 'https://example.org/h' },
  { id: 'off', type: 'webhook', enabled: false, url: 'https://example.org/o' },
  {
    id: 'opted-out',
    type: 'slack',
    enabled: true,
    url: 'https://hooks.slack.com/x',
    whenBrowserClosed: false
  },
  {
    id: 'team',
    type: 'matrix',
    enabled: true,
    roomId: '!room:example.org',
    default: false
  }
];

describe('allowsClosedBrowser', () => {
  it('is on for enabled remote channels unless switched off', () => {
    expect(channels.filter(allowsClosedBrowser).map(c => c.id)).toEqual([
      'phone',
      'hook',
      'team'
    ]);
  });
});

describe('kernelChannels', () => {
  it("hands the kernel only the notebook's and the default channels that allow it", () => {
    const handed = kernelChannels(channels, null, {});
    expect(handed.map(h => [h.config.id, h.run, h.default])).toEqual([
      ['phone', true, true],
      ['hook', true, true]
    ]);
  });

  it("follows a notebook's own choice, keeping the defaults for notify()", () => {
    const handed = kernelChannels(channels, ['lab', 'team'], {});
    expect(handed.map(h => [h.config.id, h.run, h.default])).toEqual([
      ['phone', false, true],
      ['hook', false, true],
      ['team', true, false]
    ]);
  });

  it("fills in the ntfy login for the login's server", () => {
    const [phone] = kernelChannels(channels, null, {
      ntfy: { server: 'https://ntfy.sh', username: 'me', token: 'tk_secret' }
    });
    expect(phone.config.token).toBe('tk_secret');
  });
});

describe('kernelAccounts', () => {
  const login = {
    homeserver: 'https://matrix.example.org',
    userId: '@me:example.org',
    deviceId: 'DEV',
    accessToken: 'syt_secret'
  };

  it('hands the access token only with a Matrix channel', () => {
    const withRoom = kernelChannels(channels, ['team'], { matrix: login });
    expect(kernelAccounts(withRoom, { matrix: login })).toEqual({
      matrix: login
    });
    const without = kernelChannels(channels, null, { matrix: login });
    expect(kernelAccounts(without, { matrix: login })).toEqual({});
  });
});

describe('closedBrowserField', () => {
  it('is a switch, on by default, for the channel types the kernel can send to', () => {
    const field = closedBrowserField('ntfy', trans)!;
    expect(field).toEqual(
      expect.objectContaining({
        name: 'whenBrowserClosed',
        kind: 'boolean',
        defaultValue: true
      })
    );
    expect(field.help).toMatch(
      /address and token are handed to the notebook's kernel/
    );
    expect(closedBrowserField('toast', trans)).toBeNull();
    expect(closedBrowserField('sound', trans)).toBeNull();
  });
});
