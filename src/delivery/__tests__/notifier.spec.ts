import { nullTranslator } from '@jupyterlab/translation';
import { buildManualEvent } from '../../messages/runEvent';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { Notifier } from '../notifier';

const trans = nullTranslator.load('jupyterlab_lmk');

/** A channel type that records what it was given. */
class RecordingChannel implements IChannelType {
  constructor(
    readonly type: string,
    private _behaviour: 'ok' | 'throw' = 'ok'
  ) {}
  sent: string[] = [];
  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    if (this._behaviour === 'throw') {
      throw new Error('receiver unreachable');
    }
    this.sent.push(`${config.id}:${notification.event.title}`);
    return { channelId: config.id, status: 'sent' };
  }
}

const notification: ILmkNotification = {
  id: 'n1',
  event: buildManualEvent('hello', 'Hi'),
  target: null
};

describe('Notifier', () => {
  let channels: IChannelConfig[];
  let notifier: Notifier;
  let good: RecordingChannel;

  beforeEach(() => {
    channels = [
      { id: 'one', type: 'good', enabled: true },
      { id: 'two', type: 'bad', enabled: true },
      { id: 'off', type: 'good', enabled: false },
      { id: 'odd', type: 'unknown', enabled: true }
    ];
    notifier = new Notifier({ channels: () => channels, trans });
    good = new RecordingChannel('good');
    notifier.registerChannelType(good);
    notifier.registerChannelType(new RecordingChannel('bad', 'throw'));
  });

  it('sends to enabled channels; a failing one does not stop the others', async () => {
    const results = await notifier.notify(notification);
    expect(good.sent).toEqual(['one:Hi']);
    expect(results).toEqual([
      { channelId: 'one', status: 'sent' },
      { channelId: 'two', status: 'failed', detail: 'receiver unreachable' },
      {
        channelId: 'odd',
        status: 'failed',
        detail: 'Unknown channel type "unknown".'
      }
    ]);
  });

  it('sends only to the channels asked for, even disabled ones', async () => {
    const results = await notifier.notify(notification, {
      channels: ['off', 'missing']
    });
    expect(good.sent).toEqual(['off:Hi']);
    expect(results[1]).toEqual({
      channelId: 'missing',
      status: 'failed',
      detail: 'There is no channel with id "missing".'
    });
  });

  it('reads the channels at each notification, so settings apply live', async () => {
    channels = [{ id: 'late', type: 'good', enabled: true }];
    await notifier.notify(notification);
    expect(good.sent).toEqual(['late:Hi']);
  });

  it('tells listeners what was delivered', async () => {
    const seen: IDeliveryResult[][] = [];
    notifier.delivered.connect((_, args) => seen.push(args.results));
    await notifier.notify(notification);
    expect(seen).toHaveLength(1);
    expect(seen[0][0]).toEqual({ channelId: 'one', status: 'sent' });
  });

  it('refuses a second channel type with the same name until the first is gone', () => {
    expect(() =>
      notifier.registerChannelType(new RecordingChannel('good'))
    ).toThrow('already registered');
  });

  describe('channels that deliver only when the user is away', () => {
    let here: boolean;
    beforeEach(() => {
      here = true;
      channels = [
        { id: 'lab', type: 'good', enabled: true },
        { id: 'phone', type: 'good', enabled: true, awayOnly: true }
      ];
      notifier = new Notifier({
        channels: () => channels,
        waitsForAway: config => config.awayOnly === true && here,
        trans
      });
      good = new RecordingChannel('good');
      notifier.registerChannelType(good);
    });

    it('are skipped, saying why, while the user is in the lab', async () => {
      const results = await notifier.notify(notification);
      expect(good.sent).toEqual(['lab:Hi']);
      expect(results[1]).toEqual({
        channelId: 'phone',
        status: 'skipped',
        detail: expect.stringContaining('only when you are away')
      });
    });

    it('deliver once the user is away', async () => {
      here = false;
      await notifier.notify(notification);
      expect(good.sent).toEqual(['lab:Hi', 'phone:Hi']);
    });

    it('deliver what the user asked for right now (test, resend)', async () => {
      await notifier.notify(notification, { evenIfPresent: true });
      expect(good.sent).toEqual(['lab:Hi', 'phone:Hi']);
    });
  });
});
