import { buildManualEvent } from '../../messages/runEvent';
import type { ILmkNotification } from '../../tokens';
import {
  type IHistoryStorage,
  NotificationHistory
} from '../notificationHistory';

/** An in-memory stand-in for `localStorage`, shared like the real one. */
class MemoryStorage implements IHistoryStorage {
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/** Storage with a quota, in characters of keys and values. */
class QuotaStorage extends MemoryStorage {
  constructor(private _limit: number) {
    super();
  }
  setItem(key: string, value: string) {
    let used = key.length + value.length;
    this.items.forEach((v, k) => {
      if (k !== key) {
        used += k.length + v.length;
      }
    });
    if (used > this._limit) {
      throw new DOMException('full', 'QuotaExceededError');
    }
    super.setItem(key, value);
  }
}

function notification(id: string, text = 'hello'): ILmkNotification {
  return {
    id,
    event: buildManualEvent(text, `Title ${id}`),
    target: { path: 'a.ipynb', cellId: 'c1' }
  };
}

const KEY = 'jupyterlab-lmk:history:/';

describe('NotificationHistory', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = new MemoryStorage();
  });

  it('keeps entries newest first, with per-channel results, across a reload', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    history.record(notification('n1'), [{ channelId: 'lab', status: 'sent' }]);
    history.record(notification('n2'), [
      { channelId: 'lab', status: 'sent' },
      { channelId: 'desktop', status: 'skipped', detail: 'not enabled' }
    ]);
    const reloaded = new NotificationHistory({ storage, key: KEY });
    expect(reloaded.entries.map(e => e.id)).toEqual(['n2', 'n1']);
    expect(reloaded.entries[0].results[1]).toEqual({
      channelId: 'desktop',
      status: 'skipped',
      detail: 'not enabled'
    });
    expect(reloaded.entries[0].target).toEqual({
      path: 'a.ipynb',
      cellId: 'c1'
    });
  });

  it('keeps the last 200 only', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    for (let i = 0; i < 230; i++) {
      history.record(notification(`n${i}`), []);
    }
    const reloaded = new NotificationHistory({ storage, key: KEY });
    expect(reloaded.entries).toHaveLength(200);
    expect(reloaded.entries[0].id).toBe('n229');
    expect(reloaded.entries[199].id).toBe('n30');
  });

  it('a resend updates the same entry and moves it to the top', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    history.record(notification('n1'), [
      { channelId: 'hook', status: 'failed' }
    ]);
    history.record(notification('n2'), []);
    history.record(notification('n1'), [{ channelId: 'hook', status: 'sent' }]);
    expect(history.entries.map(e => e.id)).toEqual(['n1', 'n2']);
    expect(history.entries[0].results).toEqual([
      { channelId: 'hook', status: 'sent' }
    ]);
  });

  it('a later outcome of a pending delivery updates its channel in place', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    history.record(
      notification('n1'),
      [
        { channelId: 'lab', status: 'sent' },
        { channelId: 'hook', status: 'pending', detail: 'Will retry in 2 s' }
      ],
      new Date('2025-03-01T10:00:00Z')
    );
    history.record(notification('n2'), []);
    history.record(
      notification('n1'),
      [{ channelId: 'hook', status: 'sent' }],
      new Date('2025-03-01T10:05:00Z')
    );
    expect(history.entries.map(e => e.id)).toEqual(['n2', 'n1']);
    expect(history.get('n1')).toMatchObject({
      time: '2025-03-01T10:00:00.000Z',
      results: [
        { channelId: 'lab', status: 'sent' },
        { channelId: 'hook', status: 'sent' }
      ]
    });
  });

  it('records on top of what another tab stored meanwhile', () => {
    const tabA = new NotificationHistory({ storage, key: KEY });
    const tabB = new NotificationHistory({ storage, key: KEY });
    tabA.record(notification('n1'), [{ channelId: 'hook', status: 'pending' }]);
    void tabB.entries;
    tabA.record(notification('n2'), []);
    // Tab B has not had the storage event yet.
    tabB.record(notification('n1'), [{ channelId: 'hook', status: 'failed' }]);
    const reloaded = new NotificationHistory({ storage, key: KEY });
    expect(reloaded.entries.map(e => e.id)).toEqual(['n2', 'n1']);
    expect(reloaded.get('n1')!.results).toEqual([
      { channelId: 'hook', status: 'failed' }
    ]);
  });

  it('bounds what it stores of a huge message', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    history.record(notification('big', 'x'.repeat(100_000)), []);
    expect(storage.getItem(KEY)!.length).toBeLessThan(10_000);
  });

  it('bounds every field it stores: an error of 2 MB, its traceback, report values, delivery details', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    const big = notification('err');
    const huge = 'x'.repeat(2_000_000);
    big.event = {
      ...big.event,
      title: huge,
      message: huge,
      text: huge,
      notebook: { path: huge, name: huge, url: huge },
      error: {
        ename: huge,
        evalue: huge,
        traceback: Array.from({ length: 50 }, () => huge)
      },
      kernel: { id: huge, name: huge },
      report: Object.fromEntries(
        Array.from({ length: 100 }, (_, i) => [`r${i}${huge}`, huge])
      )
    };
    big.target = { path: huge, cellId: huge };
    history.record(
      big,
      Array.from({ length: 100 }, (_, i) => ({
        channelId: `c${i}`,
        status: 'failed' as const,
        detail: huge
      }))
    );
    const stored = storage.getItem(KEY)!;
    expect(stored.length).toBeLessThan(60_000);
    const entry = new NotificationHistory({ storage, key: KEY }).get('err')!;
    expect(entry.event.error!.evalue.length).toBeLessThanOrEqual(1000);
    expect(entry.event.error!.traceback).toHaveLength(10);
    expect(entry.results).toHaveLength(30);
  });

  it('keeps the whole history within its budget, the oldest out first, so two huge errors never fill the browser’s storage', () => {
    const history = new NotificationHistory({
      storage,
      key: KEY,
      budgetChars: 20_000
    });
    for (let i = 0; i < 50; i++) {
      history.record(notification(`n${i}`, 'x'.repeat(2_000_000)), []);
    }
    expect(storage.getItem(KEY)!.length).toBeLessThanOrEqual(20_000);
    const kept = new NotificationHistory({ storage, key: KEY }).entries;
    expect(kept[0].id).toBe('n49');
    expect(kept.length).toBeGreaterThan(3);
    expect(kept.length).toBeLessThan(50);
  });

  it('where storage is full, keeps fewer entries (the newest) rather than none', () => {
    const full = new QuotaStorage(30_000);
    const history = new NotificationHistory({ storage: full, key: KEY });
    for (let i = 0; i < 40; i++) {
      history.record(notification(`n${i}`, 'y'.repeat(1500)), []);
    }
    const kept = new NotificationHistory({ storage: full, key: KEY }).entries;
    expect(kept[0].id).toBe('n39');
    expect(kept.length).toBeGreaterThan(2);
    // What must survive (the outbox) can take the history's place.
    expect(NotificationHistory.giveWay(full, KEY)).toBe(true);
    const halved = new NotificationHistory({ storage: full, key: KEY }).entries;
    expect(halved.length).toBe(Math.floor(kept.length / 2));
    expect(halved[0].id).toBe('n39');
  });

  it('clears, for this and later pages', () => {
    const history = new NotificationHistory({ storage, key: KEY });
    history.record(notification('n1'), []);
    let changes = 0;
    history.changed.connect(() => changes++);
    history.clear();
    expect(changes).toBe(1);
    expect(history.entries).toEqual([]);
    expect(new NotificationHistory({ storage, key: KEY }).entries).toEqual([]);
  });

  it('starts afresh from unreadable storage and keeps working without any', () => {
    storage.setItem(KEY, '{not json');
    expect(new NotificationHistory({ storage, key: KEY }).entries).toEqual([]);
    storage.setItem(KEY, JSON.stringify([{ id: 1 }, 'x', null]));
    expect(new NotificationHistory({ storage, key: KEY }).entries).toEqual([]);
    const pageOnly = new NotificationHistory({ storage: null, key: KEY });
    pageOnly.record(notification('n1'), []);
    expect(pageOnly.entries).toHaveLength(1);
  });

  it('does not read storage until it is first used', () => {
    const spy = jest.spyOn(storage, 'getItem');
    const history = new NotificationHistory({ storage, key: KEY });
    expect(spy).not.toHaveBeenCalled();
    void history.entries;
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
