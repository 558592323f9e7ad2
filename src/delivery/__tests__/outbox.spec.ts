import { nullTranslator } from '@jupyterlab/translation';
import { NotificationHistory } from '../../history/notificationHistory';
import { buildManualEvent } from '../../messages/runEvent';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { backoffDelay, DEFAULT_BACKOFF } from '../outbox/backoff';
import { type ISharedStorage, LocalLocks } from '../crossTab';
import { DeliveryError, type DeliveryFailureKind } from '../deliveryError';
import { Notifier } from '../notifier';
import { Outbox } from '../outbox/outbox';

const trans = nullTranslator.load('jupyterlab_lmk');
const OUTBOX_KEY = 'jupyterlab-lmk:outbox:/lab-a/';

/** `localStorage` as the tabs of one browser share it. */
class MemoryStorage implements ISharedStorage {
  items = new Map<string, string>();
  refuse = false;
  /** Characters stored at most, keys and values (a browser's quota). */
  limit = Infinity;
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    let used = key.length + value.length;
    this.items.forEach((v, k) => {
      if (k !== key) {
        used += k.length + v.length;
      }
    });
    if (this.refuse || used > this.limit) {
      throw new Error('QuotaExceededError');
    }
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

type Step = 'ok' | 'hang' | Error;

/**
 * A remote channel type whose answers are scripted per channel; it
 * records each attempt (which channel, which notification, when). Type
 * `hook` drops copies like a webhook receiver; type `chat` keeps them,
 * like Slack or Discord.
 */
class ScriptedChannel implements IChannelType {
  constructor(
    readonly type = 'hook',
    readonly deduplicates = true
  ) {}
  readonly remote = true;
  calls: { channelId: string; id: string; at: number }[] = [];
  plan(channelId: string, ...steps: Step[]): this {
    this._plans.set(channelId, [
      ...(this._plans.get(channelId) ?? []),
      ...steps
    ]);
    return this;
  }
  /** Every attempt on this channel fails like this from now on. */
  always(channelId: string, step: Step): this {
    this._always.set(channelId, step);
    return this;
  }
  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    this.calls.push({
      channelId: config.id,
      id: notification.id,
      at: Date.now()
    });
    const step =
      this._plans.get(config.id)?.shift() ??
      this._always.get(config.id) ??
      'ok';
    if (step === 'hang') {
      return new Promise(() => undefined);
    }
    if (step instanceof Error) {
      throw step;
    }
    return { channelId: config.id, status: 'sent' };
  }
  sentTo(channelId: string): number {
    return this.calls.filter(call => call.channelId === channelId).length;
  }
  private _plans = new Map<string, Step[]>();
  private _always = new Map<string, Step>();
}

/** A local channel type (like the toast), counting what it shows. */
class LocalChannel implements IChannelType {
  readonly type = 'toast';
  shown: string[] = [];
  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    this.shown.push(notification.id);
    return { channelId: config.id, status: 'sent' };
  }
}

function failure(
  kind: DeliveryFailureKind,
  status?: number,
  retryAfterMs?: number
): DeliveryError {
  return new DeliveryError(kind, `The loopback hook said ${kind}.`, {
    status,
    retryAfterMs
  });
}

/** What a page sees of a reset on a host it never read an answer from. */
function corsOrDropped(): DeliveryError {
  return new DeliveryError(
    'cors',
    'The loopback hook answered, but the browser did not let the lab read the answer (CORS).',
    { pendingMessage: 'The loopback hook: the connection failed.' }
  );
}

function note(id: string): ILmkNotification {
  return {
    id,
    event: buildManualEvent(`Body ${id}`, `Title ${id}`),
    target: null
  };
}

/**
 * One lab tab: a notifier on the shared storage and locks, with its own
 * history (on the shared storage too) fed by `delivered`.
 */
class Tab {
  constructor(
    readonly world: World,
    options: { retryMinutes?: number; leaseMs?: number } = {}
  ) {
    this.notifier = new Notifier({
      channels: () => world.channels,
      trans,
      delivery: {
        storage: world.storage,
        scope: '/lab-a/',
        locks: world.locks,
        retryMinutes: () => options.retryMinutes ?? 60,
        leaseMs: options.leaseMs,
        // As the lab wires it: the history gives way to the outbox.
        makeRoom: () =>
          NotificationHistory.giveWay(
            world.storage,
            'jupyterlab-lmk:history:/lab-a/'
          ),
        // Longest wait the jitter allows: exact times in tests.
        random: () => 1
      }
    });
    this.notifier.registerChannelType(world.hook);
    this.notifier.registerChannelType(world.chat);
    this.notifier.registerChannelType(world.toast);
    this.history = new NotificationHistory({
      storage: world.storage,
      key: 'jupyterlab-lmk:history:/lab-a/'
    });
    this.notifier.delivered.connect((_, { notification, results }) => {
      this.reports.push(results.map(r => ({ ...r })));
      this.history.record(notification, results);
    });
  }
  readonly notifier: Notifier;
  readonly history: NotificationHistory;
  readonly reports: IDeliveryResult[][] = [];

  /** What the (shared) history says about one channel of one notification. */
  status(id: string, channelId: string): IDeliveryResult | undefined {
    this.history.reload();
    return this.history.get(id)?.results.find(r => r.channelId === channelId);
  }
}

/** What the tabs of one browser share, and the channels. */
class World {
  storage = new MemoryStorage();
  locks = new LocalLocks();
  hook = new ScriptedChannel();
  chat = new ScriptedChannel('chat', false);
  toast = new LocalChannel();
  channels: IChannelConfig[] = [
    { id: 'team', type: 'hook', enabled: true },
    { id: 'lab', type: 'toast', enabled: true }
  ];
}

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter below the ceiling', () => {
    const top = (failures: number) =>
      backoffDelay(failures, null, DEFAULT_BACKOFF, () => 1);
    expect([1, 2, 3, 4].map(top)).toEqual([2000, 4000, 8000, 16000]);
    expect(top(30)).toBe(5 * 60_000);
    expect(backoffDelay(3, null, DEFAULT_BACKOFF, () => 0.25)).toBe(2000);
    // Never a zero wait that would spin.
    expect(backoffDelay(1, null, DEFAULT_BACKOFF, () => 0)).toBe(100);
  });

  it('never retries before the Retry-After the service asked for', () => {
    expect(backoffDelay(1, 30_000, DEFAULT_BACKOFF, () => 1)).toBe(30_000);
    expect(backoffDelay(10, 1000, DEFAULT_BACKOFF, () => 1)).toBe(5 * 60_000);
  });
});

describe('Notifier with the outbox (remote channels)', () => {
  let world: World;
  let tabs: Tab[];

  const open = (options?: { retryMinutes?: number; leaseMs?: number }) => {
    const tab = new Tab(world, options);
    tabs.push(tab);
    return tab;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
    world = new World();
    tabs = [];
  });

  afterEach(() => {
    tabs.forEach(tab => tab.notifier.dispose());
    jest.useRealTimers();
  });

  it('a 500 then a 200: pending at first, then sent once, and History says sent', async () => {
    const tab = open();
    world.hook.plan('team', failure('server', 500));
    const results = await tab.notifier.notify(note('run:1'));
    expect(results[0]).toMatchObject({ channelId: 'team', status: 'pending' });
    expect(results[0].detail).toMatch(
      /^Will retry in 2 s \(at .+\): The loopback hook said server\.$/
    );
    expect(results[1]).toEqual({ channelId: 'lab', status: 'sent' });
    expect(tab.status('run:1', 'team')?.status).toBe('pending');

    await jest.advanceTimersByTimeAsync(1999);
    expect(world.hook.sentTo('team')).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.hook.sentTo('team')).toBe(2);
    expect(tab.reports[tab.reports.length - 1]).toEqual([
      { channelId: 'team', status: 'sent' }
    ]);
    expect(tab.status('run:1', 'team')).toEqual({
      channelId: 'team',
      status: 'sent'
    });
    // The local channel's result is kept beside it.
    expect(tab.status('run:1', 'lab')?.status).toBe('sent');

    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(world.hook.sentTo('team')).toBe(2);
    expect(world.toast.shown).toEqual(['run:1']);
    expect(tab.notifier.outbox.entries).toEqual([]);
    expect(JSON.parse(world.storage.getItem(OUTBOX_KEY)!).entries).toEqual([]);
  });

  it('429 with Retry-After 2 s: the next attempt waits at least 2 s', async () => {
    const tab = open();
    world.hook.plan('team', failure('rate-limited', 429, 2000));
    world.hook.plan('team', failure('rate-limited', 429, 7000));
    // The smallest jitter would retry after 100 ms: Retry-After wins.
    const results = await tab.notifier.notify(note('run:2'));
    expect(results[0].status).toBe('pending');
    await jest.advanceTimersByTimeAsync(1999);
    expect(world.hook.sentTo('team')).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.hook.sentTo('team')).toBe(2);
    await jest.advanceTimersByTimeAsync(6999);
    expect(world.hook.sentTo('team')).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.hook.sentTo('team')).toBe(3);
    expect(tab.status('run:2', 'team')?.status).toBe('sent');
  });

  it.each([
    ['404', failure('not-found', 404)],
    ['401', failure('unauthorized', 401)],
    ['invalid settings', failure('invalid-config')],
    ['an unexpected exception', new TypeError('bug in the channel')]
  ])('%s: failed at once with its cause, never retried', async (_, error) => {
    const tab = open();
    world.hook.always('team', error);
    const results = await tab.notifier.notify(note('run:3'));
    expect(results[0]).toEqual({
      channelId: 'team',
      status: 'failed',
      detail: error.message
    });
    await jest.advanceTimersByTimeAsync(2 * 60 * 60_000);
    expect(world.hook.sentTo('team')).toBe(1);
    expect(tab.status('run:3', 'team')?.status).toBe('failed');
    expect(tab.notifier.outbox.entries).toEqual([]);
  });

  it('a CORS refusal (or a dropped connection, which a browser cannot tell apart): retried, and called CORS only once it has lasted two minutes', async () => {
    const tab = open();
    world.hook.always('team', corsOrDropped());
    const results = await tab.notifier.notify(note('run:c'));
    expect(results[0].status).toBe('pending');
    expect(results[0].detail).toContain('the connection failed');
    expect(results[0].detail).not.toContain('CORS');
    // 2, 4, 8, 16, 32, 64 s: the seventh failure is past two minutes.
    await jest.advanceTimersByTimeAsync(125_000);
    expect(world.hook.sentTo('team')).toBe(6);
    expect(tab.status('run:c', 'team')?.status).toBe('pending');
    expect(tab.status('run:c', 'team')?.detail).not.toContain('CORS');
    await jest.advanceTimersByTimeAsync(2 * 60 * 60_000);
    expect(world.hook.sentTo('team')).toBe(7);
    expect(tab.status('run:c', 'team')).toMatchObject({
      status: 'failed',
      detail: corsOrDropped().message
    });
    expect(tab.notifier.outbox.entries).toEqual([]);
  });

  it('six connection resets in a row that a browser reads like CORS: retried until it arrives, once, never called CORS', async () => {
    const tab = open();
    world.hook.plan('team', ...Array.from({ length: 6 }, corsOrDropped));
    await tab.notifier.notify(note('run:r'));
    const details: string[] = [];
    tab.notifier.delivered.connect((_, { results }) =>
      details.push(...results.map(r => r.detail ?? ''))
    );
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(world.hook.sentTo('team')).toBe(7);
    expect(tab.status('run:r', 'team')?.status).toBe('sent');
    expect(details.join(' ')).not.toContain('CORS');
  });

  it.each([
    ['a connection reset', failure('unreachable')],
    ['a timeout', failure('timeout')],
    ['408', failure('rejected', 408)],
    ['503', failure('server', 503)]
  ])('%s is retried', async (_, error) => {
    const tab = open();
    world.hook.plan('team', error, error);
    await tab.notifier.notify(note('run:4'));
    await jest.advanceTimersByTimeAsync(2000 + 4000);
    expect(world.hook.sentTo('team')).toBe(3);
    expect(tab.status('run:4', 'team')?.status).toBe('sent');
  });

  it('a failing or slow channel never delays another channel', async () => {
    world.channels.push(
      { id: 'broken', type: 'hook', enabled: true },
      { id: 'slow', type: 'hook', enabled: true }
    );
    world.hook.always('broken', failure('server', 503));
    world.hook.always('slow', 'hang');
    const tab = open({ leaseMs: 60_000 });
    const first = tab.notifier.notify(note('run:5'));
    await jest.advanceTimersByTimeAsync(0);
    expect(world.hook.sentTo('team')).toBe(1);
    // Later notifications go to "team" at once while the others retry or hang.
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(10_000);
      void tab.notifier.notify(note(`run:5.${i}`));
      await jest.advanceTimersByTimeAsync(0);
      expect(world.hook.sentTo('team')).toBe(2 + i);
      expect(tab.status(`run:5.${i}`, 'team')).toBeUndefined();
    }
    expect(world.hook.sentTo('broken')).toBeGreaterThan(3);
    // Six first attempts; the first one was also given up on and retried.
    expect(world.hook.sentTo('slow')).toBe(7);
    void first;
  });

  it('a reload during a retry: the next page delivers it, exactly once in all', async () => {
    const before = open();
    world.hook.plan('team', failure('server', 503));
    const results = await before.notifier.notify(note('run:6'));
    expect(results[0].status).toBe('pending');
    // The page goes away while the entry waits.
    before.notifier.dispose();
    await jest.advanceTimersByTimeAsync(500);

    const after = open();
    await after.notifier.resume();
    expect(world.hook.sentTo('team')).toBe(1);
    await jest.advanceTimersByTimeAsync(1500);
    expect(world.hook.sentTo('team')).toBe(2);
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(world.hook.calls.map(c => c.id)).toEqual(['run:6', 'run:6']);
    expect(after.status('run:6', 'team')?.status).toBe('sent');
    // The local channel was not shown again by the new page.
    expect(world.toast.shown).toEqual(['run:6']);
  });

  it('a page that starts with due entries sends them at once', async () => {
    const before = open();
    world.hook.plan('team', failure('unreachable'));
    await before.notifier.notify(note('run:7'));
    before.notifier.dispose();
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(world.hook.sentTo('team')).toBe(1);
    const after = open();
    await after.notifier.resume();
    await jest.advanceTimersByTimeAsync(0);
    expect(world.hook.sentTo('team')).toBe(2);
  });

  it('two tabs producing the same notification deliver it once, on every channel', async () => {
    const a = open();
    const b = open();
    const [fromA, fromB] = await Promise.all([
      a.notifier.notify(note('kernel:msg-1')),
      b.notifier.notify(note('kernel:msg-1'))
    ]);
    expect(world.hook.sentTo('team')).toBe(1);
    expect(world.toast.shown).toEqual(['kernel:msg-1']);
    expect(fromA.map(r => r.status)).toEqual(['sent', 'sent']);
    expect(fromB).toEqual([
      {
        channelId: 'team',
        status: 'skipped',
        detail: 'Delivered by another tab of this lab.'
      },
      {
        channelId: 'lab',
        status: 'skipped',
        detail: 'Delivered by another tab of this lab.'
      }
    ]);
    // Only the delivering tab writes the (shared) history.
    expect(a.reports).toHaveLength(1);
    expect(b.reports).toHaveLength(0);
    expect(b.status('kernel:msg-1', 'team')?.status).toBe('sent');
  });

  it('what the user asks for in a tab (a resend) is delivered again', async () => {
    const tab = open();
    await tab.notifier.notify(note('run:8'));
    await tab.notifier.notify(note('run:8'), { evenIfPresent: true });
    expect(world.hook.sentTo('team')).toBe(2);
    // Without the user asking, the same id is not delivered twice.
    await tab.notifier.notify(note('run:8'));
    expect(world.hook.sentTo('team')).toBe(2);
  });

  it('two tabs open: each retry is sent by one of them only', async () => {
    const a = open();
    const b = open();
    world.hook.plan(
      'team',
      failure('server', 500),
      failure('server', 500),
      failure('server', 500)
    );
    await a.notifier.notify(note('run:9'));
    await b.notifier.resume();
    await jest.advanceTimersByTimeAsync(2000 + 4000 + 8000 + 60 * 60_000);
    expect(world.hook.sentTo('team')).toBe(4);
    expect(a.status('run:9', 'team')?.status).toBe('sent');
  });

  it('a tab closed mid-send: its delivery is tried again after the lease, once', async () => {
    const a = open({ leaseMs: 60_000 });
    world.hook.plan('team', 'hang');
    void a.notifier.notify(note('run:10'));
    await jest.advanceTimersByTimeAsync(0);
    a.notifier.dispose();
    const b = open({ leaseMs: 60_000 });
    await b.notifier.resume();
    await jest.advanceTimersByTimeAsync(59_999);
    expect(world.hook.sentTo('team')).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.hook.sentTo('team')).toBe(2);
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(world.hook.sentTo('team')).toBe(2);
    expect(b.status('run:10', 'team')?.status).toBe('sent');
  });

  it('a channel that hangs counts as timed out before its mark expires, and is retried', async () => {
    const tab = open({ leaseMs: 60_000 });
    world.hook.plan('team', 'hang');
    const results = await Promise.all([
      tab.notifier.notify(note('run:10b')),
      jest.advanceTimersByTimeAsync(45_000)
    ]);
    expect(results[0][0]).toMatchObject({
      channelId: 'team',
      status: 'pending'
    });
    expect(results[0][0].detail).toContain('did not finish within 45 s');
    // While it hung, no timer spun.
    await jest.advanceTimersByTimeAsync(2000);
    expect(world.hook.sentTo('team')).toBe(2);
    expect(tab.status('run:10b', 'team')?.status).toBe('sent');
  });

  it('gives up after the retry time, and History shows it failed with the cause', async () => {
    const tab = open({ retryMinutes: 1 });
    world.hook.always('team', failure('server', 502));
    await tab.notifier.notify(note('run:11'));
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    // 2 + 4 + 8 + 16 s, then the next wait (32 s) would pass the minute.
    expect(world.hook.sentTo('team')).toBe(5);
    expect(tab.status('run:11', 'team')).toEqual({
      channelId: 'team',
      status: 'failed',
      detail: 'Gave up after 30 s: The loopback hook said server.'
    });
    expect(tab.notifier.outbox.entries).toEqual([]);
    await jest.advanceTimersByTimeAsync(60 * 60_000);
    expect(world.hook.sentTo('team')).toBe(5);
  });

  it('a channel removed while its delivery waits: failed, "removed"', async () => {
    const tab = open();
    world.hook.plan('team', failure('timeout'));
    await tab.notifier.notify(note('run:12'));
    world.channels = world.channels.filter(c => c.id !== 'team');
    await jest.advanceTimersByTimeAsync(2000);
    expect(world.hook.sentTo('team')).toBe(1);
    expect(tab.status('run:12', 'team')).toEqual({
      channelId: 'team',
      status: 'failed',
      detail:
        'The channel was removed before the notification could be delivered.'
    });
  });

  it('over the per-minute limit, deliveries wait in the outbox, none dropped', async () => {
    world.channels = [
      { id: 'team', type: 'hook', enabled: true, perMinute: 3 },
      { id: 'other', type: 'hook', enabled: true }
    ];
    const tab = open();
    const results: IDeliveryResult[][] = [];
    for (let i = 0; i < 5; i++) {
      results.push(await tab.notifier.notify(note(`run:13.${i}`)));
    }
    expect(results.map(r => r[0].status)).toEqual([
      'sent',
      'sent',
      'sent',
      'pending',
      'pending'
    ]);
    expect(results[3][0].detail).toBe(
      'Waiting: this channel takes at most 3 messages a minute; next in 60 s.'
    );
    // The other channel has its own limit.
    expect(results.every(r => r[1].status === 'sent')).toBe(true);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(world.hook.sentTo('team')).toBe(3);
    await jest.advanceTimersByTimeAsync(1);
    expect(
      world.hook.calls.filter(c => c.channelId === 'team').map(c => c.id)
    ).toEqual(['run:13.0', 'run:13.1', 'run:13.2', 'run:13.3', 'run:13.4']);
    expect(tab.status('run:13.4', 'team')?.status).toBe('sent');
  });

  it('one timer for the whole outbox; none once disposed', async () => {
    const tab = open();
    world.hook.always('team', failure('server', 503));
    for (let i = 0; i < 20; i++) {
      await tab.notifier.notify(note(`run:14.${i}`));
    }
    expect(tab.notifier.outbox.entries).toHaveLength(20);
    expect(jest.getTimerCount()).toBe(1);
    tab.notifier.dispose();
    expect(jest.getTimerCount()).toBe(0);
    // Stored for the next page.
    expect(JSON.parse(world.storage.getItem(OUTBOX_KEY)!).entries).toHaveLength(
      20
    );
  });

  it('stores no channel settings, only which channel', async () => {
    world.channels[0].url = 'https://hooks.example.org/secret-path-123';
    world.hook.plan('team', failure('server', 500));
    const tab = open();
    await tab.notifier.notify(note('run:15'));
    const stored = world.storage.getItem(OUTBOX_KEY)!;
    expect(stored).toContain('"channelId":"team"');
    expect(stored).not.toContain('secret-path-123');
  });

  it('429 whose Retry-After the browser hides: the next attempt waits at least 30 s, then 60 s', async () => {
    const tab = open();
    world.hook.plan(
      'team',
      failure('rate-limited', 429),
      failure('rate-limited', 429)
    );
    const results = await tab.notifier.notify(note('run:429'));
    expect(results[0].detail).toMatch(/^Will retry in 30 s/);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(world.hook.sentTo('team')).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.hook.sentTo('team')).toBe(2);
    await jest.advanceTimersByTimeAsync(59_999);
    expect(world.hook.sentTo('team')).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.hook.sentTo('team')).toBe(3);
    expect(tab.status('run:429', 'team')?.status).toBe('sent');
  });

  it('stores the event as it is sent: an error of 1.7 million characters is cut, and survives a reload', async () => {
    const tab = open();
    world.hook.plan('team', failure('server', 503));
    const huge = note('run:big');
    const evalue = 'x'.repeat(1_700_000);
    huge.event = {
      ...huge.event,
      message: `boom: ${evalue}`,
      text: `boom: ${evalue}`,
      error: { ename: 'ValueError', evalue, traceback: [] }
    };
    await tab.notifier.notify(huge);
    const stored = world.storage.getItem(OUTBOX_KEY)!;
    expect(stored.length).toBeLessThan(70_000);
    // What the first attempt sent is what is stored and retried.
    tab.notifier.dispose();
    const after = open();
    await after.notifier.resume();
    await jest.advanceTimersByTimeAsync(2000);
    expect(world.hook.sentTo('team')).toBe(2);
    expect(after.status('run:big', 'team')?.status).toBe('sent');
  });

  it('storage full: the history gives way to the outbox', async () => {
    world.storage.limit = 400_000;
    const tab = open();
    // A history that fills storage almost to the limit.
    world.storage.setItem(
      'jupyterlab-lmk:history:/lab-a/',
      JSON.stringify(
        Array.from({ length: 90 }, (_, i) => ({
          id: `old-${i}`,
          time: new Date().toISOString(),
          event: { ...note(`old-${i}`).event, message: 'm'.repeat(3800) },
          target: null,
          results: []
        }))
      )
    );
    world.hook.plan('team', failure('server', 503));
    const big = note('run:room');
    big.event = { ...big.event, message: 'y'.repeat(60_000) };
    const results = await tab.notifier.notify(big);
    expect(results[0].detail).not.toContain('Not saved');
    // Stored whole (not made shorter): the history made the room.
    expect(world.storage.getItem(OUTBOX_KEY)!.length).toBeGreaterThan(60_000);
    const history = JSON.parse(
      world.storage.getItem('jupyterlab-lmk:history:/lab-a/')!
    );
    expect(history.length).toBeLessThan(90);
  });

  it('storage refusing everything: the delivery goes on in the page, and History says a reload would lose it', async () => {
    const tab = open();
    world.hook.plan('team', failure('server', 503));
    world.storage.refuse = true;
    const results = await tab.notifier.notify(note('run:full'));
    expect(results[0].status).toBe('pending');
    expect(results[0].detail).toContain(
      'Not saved: this browser’s storage for the lab is full (or off), so closing or reloading the page loses this retry.'
    );
    await jest.advanceTimersByTimeAsync(2000);
    expect(world.hook.sentTo('team')).toBe(2);
  });

  it('where storage refuses, retries still happen in the page', async () => {
    world.storage.refuse = true;
    const tab = open();
    world.hook.plan('team', failure('server', 500));
    const results = await tab.notifier.notify(note('run:16'));
    expect(results[0].status).toBe('pending');
    await jest.advanceTimersByTimeAsync(2000);
    expect(world.hook.sentTo('team')).toBe(2);
    expect(tab.reports[tab.reports.length - 1]).toEqual([
      { channelId: 'team', status: 'sent' }
    ]);
  });
});

describe('Notifier with the outbox: services that keep copies (Slack, Discord, Teams, Mattermost, ntfy)', () => {
  let world: World;
  let tabs: Tab[];
  const open = (options?: { retryMinutes?: number; leaseMs?: number }) => {
    const tab = new Tab(world, options);
    tabs.push(tab);
    return tab;
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
    world = new World();
    world.channels = [{ id: 'room', type: 'chat', enabled: true }];
    tabs = [];
  });

  afterEach(() => {
    tabs.forEach(tab => tab.notifier.dispose());
    jest.useRealTimers();
  });

  it('a timeout: sent, not confirmed, and never sent again (it may have arrived)', async () => {
    const tab = open();
    world.chat.plan('room', failure('timeout'));
    const results = await tab.notifier.notify(note('run:slow'));
    expect(results[0]).toMatchObject({
      channelId: 'room',
      status: 'sent',
      confirmed: false
    });
    expect(results[0].detail).toBe(
      'Sent, but not confirmed: The loopback hook said timeout. It is not sent again: this channel cannot drop copies, and the message may have arrived.'
    );
    await jest.advanceTimersByTimeAsync(2 * 60 * 60_000);
    expect(world.chat.sentTo('room')).toBe(1);
    expect(tab.notifier.outbox.entries).toEqual([]);
  });

  it('a dropped connection: tried once more after 30 s at the earliest, and at most twice in all', async () => {
    const tab = open();
    world.chat.always('room', failure('dropped'));
    const results = await tab.notifier.notify(note('run:drop'));
    expect(results[0].detail).toMatch(/^Will retry in 30 s/);
    await jest.advanceTimersByTimeAsync(29_999);
    expect(world.chat.sentTo('room')).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(world.chat.sentTo('room')).toBe(2);
    await jest.advanceTimersByTimeAsync(2 * 60 * 60_000);
    expect(world.chat.sentTo('room')).toBe(2);
    expect(tab.status('run:drop', 'room')).toMatchObject({
      status: 'failed',
      detail:
        'The loopback hook said dropped. Tried twice, and not again: this channel cannot drop copies, and a message that got no answer may have arrived.'
    });
  });

  it('no connection at all (nothing can have arrived): retried until it gets through', async () => {
    const tab = open();
    world.chat.plan(
      'room',
      ...Array.from({ length: 5 }, () => failure('unreachable'))
    );
    await tab.notifier.notify(note('run:down'));
    await jest.advanceTimersByTimeAsync(10 * 60_000);
    expect(world.chat.sentTo('room')).toBe(6);
    expect(tab.status('run:down', 'room')?.status).toBe('sent');
  });

  it('a tab closed mid-send: sent once more by another tab, never a third time', async () => {
    const a = open({ leaseMs: 60_000 });
    world.chat.plan('room', 'hang', failure('dropped'));
    void a.notifier.notify(note('run:closed'));
    await jest.advanceTimersByTimeAsync(0);
    a.notifier.dispose();
    const b = open({ leaseMs: 60_000 });
    await b.notifier.resume();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(world.chat.sentTo('room')).toBe(2);
    await jest.advanceTimersByTimeAsync(2 * 60 * 60_000);
    expect(world.chat.sentTo('room')).toBe(2);
    expect(b.status('run:closed', 'room')?.status).toBe('failed');
  });
});

describe('Outbox capacity', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2025-03-01T10:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('past its capacity, the oldest waiting delivery is given up, with a failure', async () => {
    const outcomes: { id: string; result: IDeliveryResult }[] = [];
    const outbox = new Outbox({
      storage: new MemoryStorage(),
      key: OUTBOX_KEY,
      locks: new LocalLocks(),
      trans,
      capacity: 3,
      random: () => 1,
      deliver: async () => {
        throw failure('unreachable');
      },
      onOutcome: (notification, result) =>
        outcomes.push({ id: notification.id, result })
    });
    for (let i = 0; i < 4; i++) {
      await outbox.enqueue(note(`n${i}`), ['team']);
      await jest.advanceTimersByTimeAsync(1);
    }
    expect(outbox.entries.map(e => e.notificationId)).toEqual([
      'n1',
      'n2',
      'n3'
    ]);
    expect(outcomes).toEqual([
      {
        id: 'n0',
        result: {
          channelId: 'team',
          status: 'failed',
          detail: 'Given up: more than 3 messages were waiting to be sent.'
        }
      }
    ]);
    outbox.dispose();
  });
});
