/**
 * Nothing lost, nothing doubled: the fault cases of issue 26, each run
 * through the real notifier and outbox, the real generic webhook and
 * Discord channels, and a browser's CORS rules (`browserFetch`), against
 * loopback stand-ins for a webhook receiver (which drops copies by
 * `X-Lmk-Event-Id`) and for Discord (which keeps them: its documented
 * execute-webhook JSON). Every wait (timeouts, back-off, leases, the
 * receivers' delays) is scaled by `LMK_FAULT_TIME_SCALE` (default 0.1: the
 * 75 s request timeout is 7.5 s here, a receiver's 20 s answer 2 s; 1 runs
 * them in real time, for about an hour).
 *
 * `deliveryFaults.spec.ts` asserts on these runs; `bench/faults.bench.ts`
 * (`make bench-faults`) prints their table, the figures of the issue.
 */
import { nullTranslator } from '@jupyterlab/translation';
import {
  browserFetch,
  type ILoopbackAnswer,
  type IRecordedRequest,
  LoopbackReceiver
} from '../../__tests__/loopbackReceiver';
import type {
  IChannelConfig,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { DiscordChannel } from '../channels/discordChannel';
import { WebhookChannel } from '../channels/webhookChannel';
import { failedRunEvent } from '../channels/__tests__/sampleEvents';
import { type ISharedStorage, LocalLocks } from '../crossTab';
import { forgetAnsweredHosts } from '../http';
import { Notifier } from '../notifier';
import { waitUntil } from '../../__tests__/waitUntil';

const trans = nullTranslator.load('jupyterlab_lmk');
export const SCALE = Number(process.env.LMK_FAULT_TIME_SCALE ?? 0.1);
/** A wait of the real product, scaled. */
const ms = (real: number) => Math.max(1, Math.round(real * SCALE));
/** Notifications per case and channel. */
export const PER_CASE = Number(process.env.LMK_FAULT_PER_CASE ?? 3);
/** The longest any case may take, in real time. */
export const CASE_LIMIT_MS = Math.max(30_000, ms(20 * 60_000));

/**
 * `localStorage` as the tabs of one browser share it, with a quota in
 * characters (keys and values) past which a write throws as a browser's does.
 */
class MemoryStorage implements ISharedStorage {
  constructor(readonly quotaChars = Infinity) {}
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    let used = key.length + value.length;
    this.items.forEach((stored, name) => {
      used += name === key ? 0 : name.length + stored.length;
    });
    if (used > this.quotaChars) {
      throw new DOMException(
        'The quota has been exceeded.',
        'QuotaExceededError'
      );
    }
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/** The channels of one row of the table. */
export type ChannelName = 'webhook' | 'discord';

/** One fault case. */
export interface IFaultCase {
  name: string;
  /** Whether the receiver answers correctly within a minute. */
  answersWithinAMinute: boolean;
  /** The receivers' behaviour: the answer to one try at one event. */
  answer?: (attempt: number) => ILoopbackAnswer;
  /** Nothing answers (probes included) for the first 40 s. */
  downAtFirst?: boolean;
  /** The receivers send no CORS headers at all. */
  noCors?: boolean;
  /** Expose `Retry-After` to the page (CORS). */
  exposeRetryAfter?: boolean;
  /** How the lab's tabs behave (default: one tab notifies and stays). */
  tabs?: (lab: Lab, notes: ILmkNotification[]) => Promise<void>;
  /** A different notification (the 1.7 M characters error). */
  notification?: (id: string) => ILmkNotification;
  /** The browser's storage quota, in characters (default: none). */
  storageQuota?: number;
}

/** A row of the printed table. */
export interface IRow {
  name: string;
  channel: ChannelName;
  tried: number;
  delivered: number;
  lost: number;
  doubled: number;
  copies: number;
  shown: string;
}

export const CASES: IFaultCase[] = [
  { name: 'answers at once', answersWithinAMinute: true },
  {
    name: '500 twice, then 200',
    answersWithinAMinute: true,
    answer: attempt => (attempt <= 2 ? { status: 500 } : {})
  },
  {
    name: '429 with Retry-After: 3 (exposed)',
    answersWithinAMinute: true,
    exposeRetryAfter: true,
    answer: attempt =>
      attempt === 1
        ? { status: 429, headers: { 'Retry-After': String(3 * SCALE) } }
        : {}
  },
  {
    name: '429 with Retry-After: 3 (hidden from the page)',
    answersWithinAMinute: true,
    answer: attempt =>
      attempt === 1
        ? { status: 429, headers: { 'Retry-After': String(3 * SCALE) } }
        : {}
  },
  {
    name: 'answers after 20 s',
    answersWithinAMinute: true,
    answer: () => ({ delayMs: ms(20_000) })
  },
  {
    name: 'answers after 55 s',
    answersWithinAMinute: true,
    answer: () => ({ delayMs: ms(55_000) })
  },
  {
    name: 'answers after 90 s (past the 75 s timeout) twice, then at once',
    answersWithinAMinute: false,
    answer: attempt => (attempt <= 2 ? { delayMs: ms(90_000) } : {})
  },
  {
    name: 'six connection resets, then fine',
    answersWithinAMinute: false,
    answer: attempt => (attempt <= 6 ? { fault: 'reset' } : {})
  },
  {
    name: 'down (no connection) for 40 s, then up',
    answersWithinAMinute: true,
    downAtFirst: true
  },
  {
    name: 'refuses the lab’s origin (no CORS headers)',
    answersWithinAMinute: false,
    noCors: true
  },
  {
    name: 'reload while a retry waits (503 first)',
    answersWithinAMinute: true,
    answer: attempt => (attempt === 1 ? { status: 503 } : {}),
    tabs: reloadWhileWaiting
  },
  {
    name: 'two tabs, both producing each notification',
    answersWithinAMinute: true,
    tabs: async (lab, notes) => {
      const [a, b] = [lab.tab(), lab.tab()];
      await Promise.all(
        notes.flatMap(note => [a.notify(note), b.notify(note)])
      );
    }
  },
  {
    name: 'tab closed mid-send (answer after 3 min), another tab open',
    answersWithinAMinute: false,
    answer: attempt => (attempt === 1 ? { delayMs: ms(180_000) } : {}),
    tabs: async (lab, notes) => {
      const closing = lab.tab();
      const other = lab.tab();
      void Promise.all(notes.map(note => closing.notify(note)));
      await new Promise(resolve => setTimeout(resolve, ms(5000)));
      closing.dispose();
      await other.resume();
    }
  },
  {
    name: 'an error of 1.7 M characters, reload while a retry waits',
    answersWithinAMinute: true,
    answer: attempt => (attempt === 1 ? { status: 503 } : {}),
    notification: bigErrorNote,
    tabs: reloadWhileWaiting
  },
  {
    name: 'the same, the browser’s storage nearly full (300 000 characters left)',
    answersWithinAMinute: true,
    answer: attempt => (attempt === 1 ? { status: 503 } : {}),
    notification: bigErrorNote,
    storageQuota: 300_000,
    tabs: reloadWhileWaiting
  },
  {
    name: 'the browser’s storage refuses every write (quota exceeded), 503 first',
    answersWithinAMinute: true,
    answer: attempt => (attempt === 1 ? { status: 503 } : {}),
    storageQuota: 0
  }
];

/** A run-failed notification whose error is 1.7 M characters long. */
function bigErrorNote(id: string): ILmkNotification {
  const note = noteOf(id);
  const evalue = 'x'.repeat(1_700_000);
  note.event = {
    ...note.event,
    message: `**ValueError: ${evalue}**`,
    text: `ValueError: ${evalue}`,
    error: { ename: 'ValueError', evalue, traceback: [] }
  };
  return note;
}

/**
 * One tab notifies, is reloaded while retries wait, and its next load
 * resumes them.
 */
async function reloadWhileWaiting(
  lab: Lab,
  notes: ILmkNotification[]
): Promise<void> {
  const first = lab.tab();
  await Promise.all(notes.map(note => first.notify(note)));
  // Reloaded while retries wait, not mid-send (that is the case of the tab
  // closed mid-send): on a loaded machine a retry may already be under way.
  await waitUntil(
    () => first.outbox.entries.every(entry => !entry.inFlight),
    CASE_LIMIT_MS
  );
  first.dispose();
  await lab.tab().resume();
}

/** The tabs of one lab in one browser (shared storage and locks). */
class Lab {
  constructor(
    private _channels: IChannelConfig[],
    private _results: Map<string, IDeliveryResult>,
    storageQuota?: number
  ) {
    this.storage = new MemoryStorage(storageQuota);
  }

  readonly storage: MemoryStorage;
  readonly locks = new LocalLocks();
  readonly tabs: Notifier[] = [];

  tab(): Notifier {
    const notifier = new Notifier({
      channels: () => this._channels,
      trans,
      delivery: {
        storage: this.storage,
        scope: '/lab/',
        locks: this.locks,
        retryMinutes: () => 60 * SCALE,
        backoff: {
          baseMs: ms(2000),
          factor: 2,
          capMs: ms(5 * 60_000),
          minMs: ms(100)
        },
        retryTimes: {
          corsVerdictMs: ms(2 * 60_000),
          unconfirmedRetryMs: ms(30_000),
          rateLimitFloorMs: ms(30_000),
          rateLimitFloorCapMs: ms(5 * 60_000)
        },
        leaseMs: ms(120_000)
      }
    });
    const timeoutMs = ms(75_000);
    notifier.registerChannelType(new WebhookChannel({ trans, timeoutMs }));
    notifier.registerChannelType(new DiscordChannel({ trans, timeoutMs }));
    notifier.delivered.connect((_, { notification, results }) => {
      for (const result of results) {
        this._results.set(`${notification.id}\n${result.channelId}`, result);
      }
    });
    this.tabs.push(notifier);
    return notifier;
  }

  /** Whether every delivery is over (nothing waits or is being sent). */
  get settled(): boolean {
    return this.tabs.every(tab => tab.outbox.entries.length === 0);
  }

  dispose(): void {
    this.tabs.forEach(tab => tab.dispose());
  }
}

function noteOf(id: string): ILmkNotification {
  return {
    id,
    event: { ...failedRunEvent(), title: `train_model.ipynb failed (${id})` },
    target: null
  };
}

/** The notification id a receiver got a request for. */
function eventIdOf(channel: ChannelName, request: IRecordedRequest): string {
  if (channel === 'webhook') {
    return String(request.headers['x-lmk-event-id']);
  }
  const title = JSON.parse(request.text).embeds[0].title as string;
  return /\(([^)]+)\)$/.exec(title)![1];
}

/** Whether a receiver took a request (a service would have posted it). */
function took(request: IRecordedRequest): boolean {
  const answer = request.answer ?? {};
  return (
    request.method === 'POST' && !answer.fault && (answer.status ?? 200) < 300
  );
}

/** What one case did: its rows, and what the receivers got. */
export interface ICaseRun {
  /** One row per channel. */
  rows: IRow[];
  /** Per channel, the copies each notification's receiver took. */
  copies: { [name in ChannelName]: Map<string, number> };
  /** The notification ids of the case. */
  ids: string[];
  /** The body sizes, in bytes, of the requests the webhook got. */
  webhookBodies: number[];
}

/**
 * The loopback receivers, and the cases run against them one after the
 * other, with the browser's fetch in place of Node's while it runs.
 */
export class FaultRuns {
  private constructor(
    private _receivers: { [name in ChannelName]: LoopbackReceiver }
  ) {
    this._realFetch = globalThis.fetch;
    globalThis.fetch = browserFetch(location.origin);
  }

  /** Start the receivers (127.0.0.1, random ports). */
  static async start(): Promise<FaultRuns> {
    return new FaultRuns({
      webhook: await LoopbackReceiver.start({ cors: { origin: '*' } }),
      discord: await LoopbackReceiver.start({ cors: { origin: '*' } })
    });
  }

  /** Stop the receivers and give Node's fetch back. */
  async close(): Promise<void> {
    globalThis.fetch = this._realFetch;
    await Promise.all(Object.values(this._receivers).map(r => r.close()));
  }

  /** Run one case to its end (nothing waits or is being sent). */
  async run(fault: IFaultCase): Promise<ICaseRun> {
    const receivers = this._receivers;
    const started = Date.now();
    const upAt = started + ms(40_000);
    const results = new Map<string, IDeliveryResult>();
    const channels: IChannelConfig[] = [
      {
        id: 'webhook',
        type: 'webhook',
        enabled: true,
        url: receivers.webhook.url('/hook'),
        perMinute: 1000
      },
      {
        id: 'discord',
        type: 'discord',
        enabled: true,
        url: receivers.discord.url('/api/webhooks/1/tok'),
        perMinute: 1000
      }
    ];
    forgetAnsweredHosts();
    for (const [name, receiver] of Object.entries(receivers)) {
      receiver.clear();
      receiver.cors = fault.noCors
        ? null
        : {
            origin: '*',
            ...(fault.exposeRetryAfter ? { exposeHeaders: 'Retry-After' } : {})
          };
      const tries = new Map<string, number>();
      receiver.script = request => {
        if (fault.downAtFirst && Date.now() < upAt) {
          // Reachability probes too: nothing answers while it is down.
          return { fault: 'destroy' };
        }
        if (request.method !== 'POST') {
          return undefined;
        }
        const id = eventIdOf(name as ChannelName, request);
        const attempt = (tries.get(id) ?? 0) + 1;
        tries.set(id, attempt);
        return fault.answer?.(attempt);
      };
    }
    const lab = new Lab(channels, results, fault.storageQuota);
    try {
      const ids = Array.from({ length: PER_CASE }, (__, i) =>
        `${fault.name.slice(0, 12)}-${i}`.replace(/\W/g, '-')
      );
      const notes = ids.map(id => (fault.notification ?? noteOf)(id));
      if (fault.tabs) {
        await fault.tabs(lab, notes);
      } else {
        const tab = lab.tab();
        await Promise.all(notes.map(note => tab.notify(note)));
      }
      // A request counts when the receiver takes it, answered late or not.
      await waitUntil(() => lab.settled, CASE_LIMIT_MS);

      const rows: IRow[] = [];
      const copiesOf = {} as ICaseRun['copies'];
      for (const channel of ['webhook', 'discord'] as ChannelName[]) {
        const taken = receivers[channel].requests.filter(took);
        const copies = new Map<string, number>();
        for (const request of taken) {
          const id = eventIdOf(channel, request);
          copies.set(id, (copies.get(id) ?? 0) + 1);
        }
        copiesOf[channel] = copies;
        const delivered = ids.filter(id => copies.has(id)).length;
        const extra = ids.reduce(
          (sum, id) => sum + Math.max(0, (copies.get(id) ?? 0) - 1),
          0
        );
        const shown = [
          ...new Set(
            ids.map(id => {
              const result = results.get(`${id}\n${channel}`);
              return result
                ? result.status === 'sent' && result.confirmed === false
                  ? 'sent, not confirmed'
                  : result.status
                : 'nothing';
            })
          )
        ].join(', ');
        rows.push({
          name: fault.name,
          channel,
          tried: ids.length,
          delivered,
          lost: ids.length - delivered,
          // The webhook's receiver drops copies by X-Lmk-Event-Id.
          doubled: channel === 'webhook' ? 0 : extra,
          copies: taken.length,
          shown
        });
      }
      const webhookBodies = receivers.webhook.requests
        .filter(r => r.method === 'POST')
        .map(r => r.body.length);
      return { rows, copies: copiesOf, ids, webhookBodies };
    } finally {
      lab.dispose();
    }
  }

  private _realFetch: typeof fetch;
}

/** The rows as a Markdown table, with a heading that says how they ran. */
export function faultTable(rows: IRow[]): string {
  return [
    `Delivery under faults (time scale ${SCALE}; ${PER_CASE} notifications per case and channel)`,
    '',
    '| case | channel | tried | delivered | lost | doubled | History says |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      row =>
        `| ${row.name} | ${row.channel} | ${row.tried} | ${row.delivered} | ${row.lost} | ${row.doubled}${row.channel === 'webhook' && row.copies > row.delivered ? ` (${row.copies - row.delivered} dropped by X-Lmk-Event-Id)` : ''} | ${row.shown} |`
    )
  ].join('\n');
}
