import {
  readClaim,
  readHello,
  readPush,
  readReply,
  requestContent
} from '../relayProtocol';

describe('the relay protocol', () => {
  it("carries each request in a comm info request for the relay's target", () => {
    expect(requestContent('claim', { id: 'run:1', holder: 'h' })).toEqual({
      target_name: 'jupyterlab_lmk.relay.v1',
      lmk: { id: 'run:1', holder: 'h', op: 'claim' }
    });
  });

  it('reads a plain comm info reply as "no watcher"', () => {
    expect(readReply({ status: 'ok', comms: {} })).toBeNull();
    expect(
      readReply({ status: 'ok', comms: {}, lmk: { protocol: 2 } })
    ).toBeNull();
    expect(readReply({ lmk: { protocol: 1, version: 'v' } })).toEqual({
      protocol: 1,
      version: 'v'
    });
  });

  it('reads claims, hellos and pushes defensively', () => {
    expect(
      readClaim({
        known: true,
        granted: false,
        by: 'kernel',
        channels: ['hook', 3],
        results: [
          { channelId: 'hook', status: 'sent', attempts: 1 },
          { channelId: 'bad', status: 'exploded' }
        ]
      })
    ).toEqual({
      known: true,
      granted: false,
      by: 'kernel',
      channels: ['hook'],
      sending: false,
      results: [{ channelId: 'hook', status: 'sent', attempts: 1 }],
      leaseS: undefined
    });
    expect(readHello({ records: 'nope', ended: [{ id: 1 }] })).toEqual({
      records: [],
      ended: [],
      running: []
    });
    expect(
      readPush({ op: 'ended', id: 'run:1', summary: {}, notify: true })
    ).toEqual({
      op: 'ended',
      ended: { op: 'ended', id: 'run:1', summary: {}, notify: true }
    });
    expect(readPush({ op: 'delivered', record: { id: 'x' } })).toBeNull();
  });
});
