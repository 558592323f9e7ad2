import { AwayHold } from '../awayHold';
import { LocalLocks } from '../crossTab';
import { buildManualEvent } from '../../messages/runEvent';
import { MemoryStorage } from './memoryStorage';

const notification = {
  id: 'n1',
  event: buildManualEvent('done', 'Run'),
  target: null
};

describe('AwayHold', () => {
  let now: number;
  let storage: MemoryStorage;
  let hold: AwayHold;

  beforeEach(() => {
    now = 1000;
    storage = new MemoryStorage();
    hold = new AwayHold({
      storage,
      key: 'held',
      locks: new LocalLocks(),
      owner: 'A',
      now: () => now,
      leaseMs: 30_000
    });
  });

  it('keeps what it holds in storage, merged per notification', async () => {
    await hold.hold(notification, ['desktop']);
    await hold.hold(notification, ['phone', 'desktop']);
    expect(JSON.parse(storage.getItem('held')!)).toEqual([
      expect.objectContaining({
        id: 'n1',
        channelIds: ['desktop', 'phone'],
        owner: 'A',
        until: 31_000
      })
    ]);
  });

  it('ignores what it cannot read, and starts afresh', async () => {
    storage.setItem('held', '{"not": "a list"');
    expect(hold.entries).toEqual([]);
    storage.setItem('held', JSON.stringify([{ id: 'x' }, 7, null]));
    expect(hold.entries).toEqual([]);
    await hold.hold(notification, ['desktop']);
    expect(hold.entries).toHaveLength(1);
  });

  it('says when to look next: its lease’s renewal, or another tab’s running out', async () => {
    await hold.hold(notification, ['desktop']);
    expect(hold.nextCheck(3_600_000)).toBe(21_000);
    const other = new AwayHold({
      storage,
      key: 'held',
      locks: new LocalLocks(),
      owner: 'B',
      now: () => now
    });
    expect(other.nextCheck(3_600_000)).toBe(31_000);
    expect(other.nextCheck(5_000)).toBe(6_000);
  });

  it('forgets a notification and says what was held for it', async () => {
    await hold.hold(notification, ['desktop']);
    expect((await hold.forget('n1'))?.channelIds).toEqual(['desktop']);
    expect(await hold.forget('n1')).toBeNull();
    expect(storage.getItem('held')).toBeNull();
  });
});
