import {
  browserLocks,
  ClaimSet,
  type ISharedStorage,
  LocalLocks,
  StorageLocks
} from '../crossTab';

/** `localStorage` as the tabs of one browser share it. */
class MemoryStorage implements ISharedStorage {
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

const pause = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Increment a counter in storage, slowly, under the lock: without mutual
 * exclusion, concurrent increments get lost.
 */
async function increment(
  locks: { request<T>(name: string, cb: () => Promise<T>): Promise<T> },
  storage: ISharedStorage
): Promise<void> {
  await locks.request('jupyterlab-lmk:test', async () => {
    const value = Number(storage.getItem('counter') ?? '0');
    await pause(2);
    storage.setItem('counter', String(value + 1));
  });
}

describe('cross-tab locks', () => {
  it('LocalLocks runs callbacks for one name one after the other', async () => {
    const storage = new MemoryStorage();
    const locks = new LocalLocks();
    await Promise.all(
      Array.from({ length: 10 }, () => increment(locks, storage))
    );
    expect(storage.getItem('counter')).toBe('10');
  });

  it('StorageLocks (no Web Locks): two tabs on one storage lose no update', async () => {
    const storage = new MemoryStorage();
    const tabA = new StorageLocks({ storage, owner: 'a', settleMs: 5 });
    const tabB = new StorageLocks({ storage, owner: 'b', settleMs: 5 });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        increment(i % 2 ? tabA : tabB, storage)
      )
    );
    expect(storage.getItem('counter')).toBe('6');
    // The lease is gone once released.
    expect(storage.getItem('jupyterlab-lmk:test:lock')).toBeNull();
  });

  it('StorageLocks takes over the lease of a tab that died holding it', async () => {
    const storage = new MemoryStorage();
    storage.setItem(
      'jupyterlab-lmk:test:lock',
      JSON.stringify({ owner: 'dead', until: Date.now() + 50 })
    );
    const locks = new StorageLocks({ storage, owner: 'a', settleMs: 5 });
    const started = Date.now();
    await increment(locks, storage);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(storage.getItem('counter')).toBe('1');
  });

  it('browserLocks falls back to storage leases where Web Locks are missing', () => {
    expect(browserLocks(new MemoryStorage())).toBeInstanceOf(StorageLocks);
    expect(browserLocks(null)).toBeInstanceOf(LocalLocks);
  });
});

describe('ClaimSet', () => {
  it('grants a notification id to the first tab only, for an hour', async () => {
    const storage = new MemoryStorage();
    let now = 1_000_000;
    const tab = (owner: string) =>
      new ClaimSet({
        storage,
        key: 'jupyterlab-lmk:claims:/',
        locks: new StorageLocks({ storage, owner, settleMs: 5 }),
        now: () => now
      });
    const a = tab('a');
    const b = tab('b');
    const claims = await Promise.all([
      a.claim('kernel:m1'),
      b.claim('kernel:m1'),
      b.claim('kernel:m2')
    ]);
    expect(claims.filter(Boolean)).toHaveLength(2);
    expect(claims[2]).toBe(true);
    now += 59 * 60_000;
    expect(await a.claim('kernel:m1')).toBe(false);
    now += 2 * 60_000;
    expect(await a.claim('kernel:m1')).toBe(true);
  });

  it('remembers at most its size, forgetting the oldest claims', async () => {
    const storage = new MemoryStorage();
    let now = 0;
    const claims = new ClaimSet({
      storage,
      key: 'k',
      locks: new LocalLocks(),
      size: 3,
      now: () => ++now
    });
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(await claims.claim(id)).toBe(true);
    }
    expect(Object.keys(JSON.parse(storage.getItem('k')!))).toEqual([
      'b',
      'c',
      'd'
    ]);
    expect(await claims.claim('a')).toBe(true);
    expect(await claims.claim('d')).toBe(false);
  });

  it('grants claims when storage is unreadable or off (better twice than never)', async () => {
    const broken: ISharedStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined
    };
    const locks = new LocalLocks();
    const unreadable = new ClaimSet({ storage: broken, key: 'k', locks });
    expect(await unreadable.claim('x')).toBe(true);
    expect(await unreadable.claim('x')).toBe(true);
    const storage = new MemoryStorage();
    storage.setItem('k', '{not json');
    const garbled = new ClaimSet({ storage, key: 'k', locks });
    expect(await garbled.claim('x')).toBe(true);
    expect(await garbled.claim('x')).toBe(false);
    // Without storage, claims still hold within the page.
    const pageOnly = new ClaimSet({ storage: null, key: 'k', locks });
    expect(await pageOnly.claim('x')).toBe(true);
    expect(await pageOnly.claim('x')).toBe(false);
  });
});
