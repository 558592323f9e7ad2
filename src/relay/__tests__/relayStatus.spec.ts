import { nullTranslator } from '@jupyterlab/translation';
import { relayStatus } from '../relayStatus';
import { kernelNote, kernelResult, withNote } from '../relayWords';

const trans = nullTranslator.load('jupyterlab_lmk');

describe('relayStatus', () => {
  const base = { channels: ['phone'], kernelName: 'python3', watcher: null };

  it('says why a kernel cannot deliver while the browser is closed', () => {
    expect(relayStatus({ ...base, channels: [] }, trans).text).toBe(
      'Only while a page is open: no channel of this notebook allows delivery with the browser closed.'
    );
    expect(
      relayStatus({ ...base, kernelName: 'ir', watcher: 'other' }, trans).text
    ).toBe('Only while a page is open: "ir" is not an IPython kernel.');
    expect(
      relayStatus(
        {
          ...base,
          watcher: 'refused',
          reason: 'ipykernel-version',
          detail: 'ipykernel 5.5.6'
        },
        trans
      ).text
    ).toBe(
      'Only while a page is open: the kernel refused the watcher (ipykernel 5.5.6; 6 or newer is needed).'
    );
    expect(relayStatus({ ...base, kernelName: null }, trans).can).toBe(false);
  });

  it('names the channels the kernel sends to when it can', () => {
    expect(
      relayStatus(
        { ...base, channels: ['phone', 'hook'], watcher: 'absent' },
        trans
      )
    ).toEqual({
      can: true,
      text: 'Also when the browser is closed: the kernel sends to phone, hook.'
    });
  });
});

describe('the words of kernel deliveries', () => {
  it('say what the kernel did, when, and why it failed, without addresses', () => {
    const at = '2026-12-06T02:13:00.000Z';
    expect(
      kernelResult(
        { channelId: 'hook', status: 'sent', attempts: 1, at },
        trans
      )
    ).toEqual(
      expect.objectContaining({
        status: 'sent',
        detail: expect.stringMatching(/^Sent from the kernel at \d\d:\d\d/)
      })
    );
    const failed = kernelResult(
      {
        channelId: 'hook',
        status: 'failed',
        attempts: 12,
        at,
        failure: { kind: 'server', status: 502 }
      },
      trans
    );
    expect(failed.status).toBe('failed');
    expect(failed.detail).toMatch(
      /The kernel gave up at .*server error \(502\)/
    );
    expect(
      kernelNote(
        [{ channelId: 'phone', status: 'sent', attempts: 1, at }],
        false,
        trans
      )
    ).toMatch(
      /^Sent from the kernel at .* to phone, while no page was open\.$/
    );
  });

  it('says a send that timed out to a service that keeps copies was not confirmed', () => {
    const result = kernelResult(
      {
        channelId: 'phone',
        status: 'sent',
        confirmed: false,
        attempts: 1,
        at: '2026-12-06T02:13:00Z',
        failure: { kind: 'timeout' }
      },
      trans
    );
    expect(result.status).toBe('sent');
    expect(result.confirmed).toBe(false);
    expect(result.detail).toMatch(/not confirmed.*not sent again/);
  });

  it('puts the note first, where the toast (title and two lines) shows it', () => {
    const event = {
      version: 1,
      event: 'run.failed',
      title: 'train.ipynb failed',
      text: 'Failed at cell 4 [4] after 2 s.\nValueError: boom\nmore',
      message: 'Failed at **cell 4** [4] after 2 s.',
      notebook: null,
      run: null,
      cell: null,
      error: null,
      kernel: null,
      report: null
    } as const;
    const noted = withNote(event, 'Sent from the kernel at 02:13 to phone.');
    expect(noted.text.split('\n').slice(0, 2)).toEqual([
      'Sent from the kernel at 02:13 to phone.',
      'Failed at cell 4 [4] after 2 s.'
    ]);
    expect(noted.message).toBe(
      'Sent from the kernel at 02:13 to phone.\n\nFailed at **cell 4** [4] after 2 s.'
    );
    expect(noted.title).toBe(event.title);
  });
});
