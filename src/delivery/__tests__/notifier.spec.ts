import { nullTranslator } from '@jupyterlab/translation';
import { buildManualEvent } from '../../messages/runEvent';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { LocalLocks } from '../crossTab';
import { Notifier } from '../notifier';
import { MemoryStorage } from './memoryStorage';

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
    let now: number;
    let storage: MemoryStorage;
    let locks: LocalLocks;
    let phone: RecordingChannel;

    /** A notifier as one tab (page) of the lab has it. */
    function tab(owner: string): Notifier {
      const made = new Notifier({
        channels: () => channels,
        waitsForAway: config => config.awayOnly === true && here,
        trans,
        delivery: {
          storage,
          locks,
          scope: 'lab',
          owner,
          now: () => now,
          retryMinutes: () => 60
        }
      });
      made.registerChannelType(good);
      made.registerChannelType(phone);
      return made;
    }

    /** What the notifier reported for the phone channel, in order. */
    function phoneReports(made: Notifier): IDeliveryResult[] {
      const reports: IDeliveryResult[] = [];
      made.delivered.connect((_, { results }) =>
        reports.push(...results.filter(r => r.channelId === 'phone'))
      );
      return reports;
    }

    beforeEach(async () => {
      here = true;
      now = 1_000_000;
      storage = new MemoryStorage();
      locks = new LocalLocks();
      channels = [
        { id: 'lab', type: 'good', enabled: true },
        { id: 'phone', type: 'phone', enabled: true, awayOnly: true }
      ];
      good = new RecordingChannel('good');
      phone = new RecordingChannel('phone');
      notifier.dispose();
      notifier = tab('A');
      await notifier.resume();
    });

    afterEach(() => {
      notifier.dispose();
    });

    it('hold a notification while the user is in the lab, saying so', async () => {
      const results = await notifier.notify(notification);
      expect(good.sent).toEqual(['lab:Hi']);
      expect(phone.sent).toEqual([]);
      expect(results[1]).toEqual({
        channelId: 'phone',
        status: 'pending',
        detail: expect.stringContaining('Waits until you are away')
      });
      expect(notifier.held.entries.map(e => e.channelIds)).toEqual([['phone']]);
    });

    it('deliver it as soon as the user is away, and report it sent', async () => {
      const reports = phoneReports(notifier);
      await notifier.notify(notification);
      here = false;
      await notifier.settleHeld();
      expect(phone.sent).toEqual(['phone:Hi']);
      expect(reports.map(r => r.status)).toEqual(['pending', 'sent']);
      expect(notifier.held.entries).toEqual([]);
      // Once only.
      await notifier.settleHeld();
      expect(phone.sent).toEqual(['phone:Hi']);
    });

    it('drop it when the user saw it in the lab first', async () => {
      const reports = phoneReports(notifier);
      await notifier.notify(notification);
      notifier.markSeen(notification.id);
      await waitFor(() => reports.length === 2);
      expect(reports[1]).toEqual({
        channelId: 'phone',
        status: 'skipped',
        detail: 'You saw it in the lab.'
      });
      here = false;
      await notifier.settleHeld();
      expect(phone.sent).toEqual([]);
    });

    it('drop it after the retry time when the user never left', async () => {
      const reports = phoneReports(notifier);
      await notifier.notify(notification);
      now += 59 * 60_000;
      await notifier.settleHeld();
      expect(reports).toHaveLength(1);
      now += 2 * 60_000;
      await notifier.settleHeld();
      expect(reports[1]).toEqual({
        channelId: 'phone',
        status: 'skipped',
        detail: 'You did not leave the lab within 60 min of it.'
      });
      here = false;
      await notifier.settleHeld();
      expect(phone.sent).toEqual([]);
    });

    it('deliver at once when "only when away" is switched off meanwhile', async () => {
      await notifier.notify(notification);
      channels = channels.map(c => ({ ...c, awayOnly: false }));
      await notifier.settleHeld();
      expect(phone.sent).toEqual(['phone:Hi']);
    });

    it('say first what keeps a channel from delivering at all', async () => {
      notifier.registerChannelType({
        type: 'blocked',
        unavailable: () => 'The browser blocks notifications from this site.',
        send: async () => {
          throw new Error('never called');
        }
      });
      channels.push({
        id: 'desk',
        type: 'blocked',
        enabled: true,
        awayOnly: true
      });
      const results = await notifier.notify(notification);
      expect(results[2]).toEqual({
        channelId: 'desk',
        status: 'skipped',
        detail: 'The browser blocks notifications from this site.'
      });
      expect(notifier.held.entries[0].channelIds).toEqual(['phone']);
    });

    it('send it now, once, when the user resends it by hand', async () => {
      await notifier.notify(notification);
      await notifier.notify(notification, { evenIfPresent: true });
      expect(phone.sent).toEqual(['phone:Hi']);
      here = false;
      await notifier.settleHeld();
      expect(phone.sent).toEqual(['phone:Hi']);
    });

    it('survive a reload: the next page takes it over and delivers it when the user is away', async () => {
      await notifier.notify(notification);
      notifier.dispose(); // The page is reloaded.
      const next = tab('B');
      const reports = phoneReports(next);
      await next.resume();
      // The old page's hold has not run out yet: nothing moves.
      here = false;
      await next.settleHeld();
      expect(phone.sent).toEqual([]);
      now += 31_000;
      here = true;
      await next.settleHeld();
      expect(phone.sent).toEqual([]);
      expect(next.held.entries[0].owner).toBe('B');
      here = false;
      await next.settleHeld();
      expect(phone.sent).toEqual(['phone:Hi']);
      expect(reports.map(r => r.status)).toEqual(['sent']);
      next.dispose();
    });

    it('with two tabs, the other tab leaves it to the tab the user is in', async () => {
      const other = tab('B');
      await other.resume();
      await notifier.notify(notification);
      // The user is in tab A; tab B is in the background (away), but A
      // keeps renewing its hold while the user is there.
      here = false;
      await other.settleHeld();
      expect(phone.sent).toEqual([]);
      now += 20_000;
      here = true;
      await notifier.settleHeld();
      now += 20_000;
      here = false;
      await other.settleHeld();
      expect(phone.sent).toEqual([]);
      // The user leaves tab A: A delivers it, once.
      await notifier.settleHeld();
      await other.settleHeld();
      expect(phone.sent).toEqual(['phone:Hi']);
      other.dispose();
    });

    it('keep a bounded number held: the oldest go first, said so', async () => {
      const reports = phoneReports(notifier);
      for (let i = 0; i < 52; i++) {
        now += 1;
        await notifier.notify({ ...notification, id: `n${i}` });
      }
      expect(notifier.held.entries).toHaveLength(50);
      expect(notifier.held.entries[0].id).toBe('n2');
      expect(
        reports.filter(r => r.detail === 'Too many notifications were waiting.')
      ).toHaveLength(2);
    });
  });
});

/** Wait until `condition` holds (promises settle in turns). */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) {
    await new Promise(resolve => setTimeout(resolve, 0));
  }
  expect(condition()).toBe(true);
}
