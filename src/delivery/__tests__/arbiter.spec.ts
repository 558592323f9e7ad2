/**
 * The notifier asks an arbiter (the kernel relay) who delivers: before
 * each notification, and before each attempt of the outbox.
 */
import { nullTranslator } from '@jupyterlab/translation';
import { buildManualEvent } from '../../messages/runEvent';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import type { Arbitration, IDeliveryArbiter } from '../arbiter';
import { Notifier } from '../notifier';

const trans = nullTranslator.load('jupyterlab_lmk');

class Recording implements IChannelType {
  constructor(
    readonly type: string,
    readonly remote: boolean
  ) {}
  sent: ILmkNotification[] = [];
  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    this.sent.push(notification);
    return { channelId: config.id, status: 'sent' };
  }
}

class Arbiter implements IDeliveryArbiter {
  verdict: Arbitration = { send: 'all' };
  instead: IDeliveryResult | null = null;
  told: IDeliveryResult[][] = [];
  async arbitrate(): Promise<Arbitration> {
    return this.verdict;
  }
  async beforeAttempt(): Promise<IDeliveryResult | null> {
    return this.instead;
  }
  delivered(_: ILmkNotification, results: IDeliveryResult[]): void {
    this.told.push(results);
  }
}

const notification: ILmkNotification = {
  id: 'run:1',
  event: buildManualEvent('Finished.', 'train.ipynb finished'),
  target: null
};

describe('Notifier with an arbiter', () => {
  let toast: Recording;
  let hook: Recording;
  let arbiter: Arbiter;
  let notifier: Notifier;

  beforeEach(() => {
    toast = new Recording('toast', false);
    hook = new Recording('webhook', true);
    arbiter = new Arbiter();
    notifier = new Notifier({
      channels: () => [
        { id: 'lab', type: 'toast', enabled: true },
        { id: 'hook', type: 'webhook', enabled: true }
      ],
      trans,
      arbiter: () => arbiter
    });
    notifier.registerChannelType(toast);
    notifier.registerChannelType(hook);
  });

  afterEach(() => notifier.dispose());

  it('says the lab sent it, in the event every channel gets', async () => {
    await notifier.notify(notification);
    expect(toast.sent[0].event.sender).toBe('lab');
    expect(hook.sent[0].event.sender).toBe('lab');
    expect(arbiter.told).toEqual([
      [
        { channelId: 'lab', status: 'sent' },
        { channelId: 'hook', status: 'sent' }
      ]
    ]);
  });

  it('sends nothing when another page has it', async () => {
    arbiter.verdict = { send: 'none', detail: 'Delivered by another page.' };
    const results = await notifier.notify(notification);
    expect(toast.sent).toEqual([]);
    expect(hook.sent).toEqual([]);
    expect(results.map(r => r.status)).toEqual(['skipped', 'skipped']);
  });

  it('shows what the kernel sent in the toast and the history, without sending it again', async () => {
    const handled = [
      {
        channelId: 'hook',
        status: 'sent' as const,
        detail: 'Sent from the kernel at 02:13.'
      }
    ];
    const delivered: IDeliveryResult[][] = [];
    notifier.delivered.connect((_, d) => delivered.push(d.results));
    arbiter.verdict = {
      send: 'rest',
      handled,
      remote: true,
      notification: {
        ...notification,
        event: {
          ...notification.event,
          text: 'Finished.\nSent from the kernel.'
        }
      }
    };
    await notifier.notify(notification);
    expect(hook.sent).toEqual([]);
    expect(toast.sent[0].event.text).toBe('Finished.\nSent from the kernel.');
    expect(delivered).toEqual([
      [handled[0], { channelId: 'lab', status: 'sent' }]
    ]);
  });

  it('lets the arbiter answer for an outbox attempt (a page reloaded after the kernel sent it)', async () => {
    arbiter.instead = {
      channelId: 'hook',
      status: 'sent',
      detail: 'Sent from the kernel at 02:13.'
    };
    const results = await notifier.notify(notification);
    expect(hook.sent).toEqual([]);
    expect(results[1]).toEqual(arbiter.instead);
  });

  it('does not ask for what the user asks now (a test, a resend)', async () => {
    arbiter.verdict = { send: 'none', detail: 'no' };
    await notifier.notify(notification, { evenIfPresent: true });
    expect(hook.sent).toHaveLength(1);
  });
});
