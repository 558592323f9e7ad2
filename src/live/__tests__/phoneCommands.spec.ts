import {
  ntfyCommandBody,
  reactionVerb,
  readMatrixEvent,
  readNtfyCommand,
  replyVerb
} from '../phoneCommands';

const OWNER = '@alice:example.org';
const STATUS = '$status:example.org';
const context = { owner: OWNER, statusEventId: STATUS, statusTs: 1000 };

function reaction(key: string, extra: { [key: string]: unknown } = {}) {
  return {
    type: 'm.reaction',
    event_id: '$r1',
    sender: OWNER,
    origin_server_ts: 2000,
    content: {
      'm.relates_to': { rel_type: 'm.annotation', event_id: STATUS, key }
    },
    ...extra
  };
}

function reply(body: string, extra: { [key: string]: unknown } = {}) {
  return {
    type: 'm.room.message',
    event_id: '$m1',
    sender: OWNER,
    origin_server_ts: 2000,
    content: {
      msgtype: 'm.text',
      body,
      'm.relates_to': { 'm.in_reply_to': { event_id: STATUS } }
    },
    ...extra
  };
}

describe('commands from the phone on Matrix', () => {
  it('reads the owner’s 🛑 on the status message as "interrupt" and 🔕 as "mute"', () => {
    expect(readMatrixEvent(reaction('🛑'), context)).toEqual({
      kind: 'command',
      verb: 'interrupt',
      id: '$r1',
      via: 'reaction'
    });
    expect(readMatrixEvent(reaction('🔕'), context)).toMatchObject({
      kind: 'command',
      verb: 'mute'
    });
  });

  it('accepts the emoji with or without a variation selector', () => {
    expect(reactionVerb('🛑\uFE0F')).toBe('interrupt');
    expect(reactionVerb('🛑')).toBe('interrupt');
    expect(reactionVerb('👍')).toBeNull();
  });

  it('reads an encrypted reaction by its clear-text relation', () => {
    const encrypted = {
      ...reaction('🛑'),
      type: 'm.room.encrypted',
      content: {
        algorithm: 'm.megolm.v1.aes-sha2',
        ciphertext: 'AwgAEn…',
        'm.relates_to': {
          rel_type: 'm.annotation',
          event_id: STATUS,
          key: '🛑'
        }
      }
    };
    expect(readMatrixEvent(encrypted, context)).toMatchObject({
      kind: 'command',
      verb: 'interrupt'
    });
  });

  it('ignores, and reports, a 🛑 or a "stop" from anyone else in the room', () => {
    expect(
      readMatrixEvent(reaction('🛑', { sender: '@eve:example.org' }), context)
    ).toEqual({
      kind: 'ignored',
      reason: 'not-owner',
      id: '$r1',
      via: 'reaction',
      sender: '@eve:example.org',
      verb: 'interrupt'
    });
    expect(
      readMatrixEvent(reply('stop', { sender: '@eve:example.org' }), context)
    ).toMatchObject({ kind: 'ignored', reason: 'not-owner', via: 'reply' });
  });

  it('says nothing of other reactions, or of other people’s chat in reply', () => {
    expect(readMatrixEvent(reaction('👍'), context)).toEqual({ kind: 'none' });
    expect(
      readMatrixEvent(
        reply('nice run', { sender: '@eve:example.org' }),
        context
      )
    ).toEqual({ kind: 'none' });
  });

  it('reports a reply of the owner that is not a command word', () => {
    expect(
      readMatrixEvent(reply('import os; os.system("x")'), context)
    ).toEqual({
      kind: 'ignored',
      reason: 'not-a-verb',
      id: '$m1',
      via: 'reply',
      sender: OWNER
    });
  });

  it('ignores what was sent before the status message', () => {
    expect(
      readMatrixEvent(reaction('🛑', { origin_server_ts: 999 }), context)
    ).toMatchObject({ kind: 'ignored', reason: 'before-status' });
  });

  it('ignores reactions and replies to other messages', () => {
    const other = reaction('🛑');
    (other.content['m.relates_to'] as any).event_id = '$other';
    expect(readMatrixEvent(other, context)).toEqual({ kind: 'none' });
    const elsewhere = reply('stop');
    (elsewhere.content['m.relates_to'] as any)['m.in_reply_to'].event_id =
      '$other';
    expect(readMatrixEvent(elsewhere, context)).toEqual({ kind: 'none' });
  });

  it('never takes this device’s own messages, notices or edits as commands', () => {
    expect(
      readMatrixEvent(
        reaction('🛑', { unsigned: { transaction_id: 'lmk.live.x.1' } }),
        context
      )
    ).toEqual({ kind: 'none' });
    const notice = reply('stop');
    notice.content.msgtype = 'm.notice';
    expect(readMatrixEvent(notice, context)).toEqual({ kind: 'none' });
    const edit = reply('stop');
    edit.content['m.relates_to'] = {
      rel_type: 'm.replace',
      event_id: STATUS
    } as any;
    expect(readMatrixEvent(edit, context)).toEqual({ kind: 'none' });
  });

  it('reads a reply in the status message’s thread', () => {
    const threaded = reply('mute');
    threaded.content['m.relates_to'] = {
      rel_type: 'm.thread',
      event_id: STATUS,
      is_falling_back: true,
      'm.in_reply_to': { event_id: '$latest' }
    } as any;
    expect(readMatrixEvent(threaded, context)).toMatchObject({
      kind: 'command',
      verb: 'mute',
      via: 'reply'
    });
  });
});

describe('command words in a reply', () => {
  it('takes only stop, interrupt and mute, in any case, with a final full stop', () => {
    expect(replyVerb('stop')).toBe('interrupt');
    expect(replyVerb('  STOP! ')).toBe('interrupt');
    expect(replyVerb('Interrupt.')).toBe('interrupt');
    expect(replyVerb('mute')).toBe('mute');
    expect(replyVerb('stop it')).toBeNull();
    expect(replyVerb('stop; rm -rf /')).toBeNull();
    expect(replyVerb('restart')).toBeNull();
    expect(replyVerb(42)).toBeNull();
  });

  it('leaves out the quoted original older clients put in front', () => {
    expect(
      replyVerb('> <@alice:example.org> nb.ipynb: cell 3 of 8\n\nstop')
    ).toBe('interrupt');
  });
});

describe('commands from the phone on ntfy', () => {
  const good = { run: 'R1', nonce: 'N-interrupt' };
  const ntfyContext = {
    run: 'R1',
    check: (verb: string, nonce: string) =>
      verb === 'interrupt' && nonce === 'N-interrupt'
        ? ('ok' as const)
        : verb === 'mute' && nonce === 'N-mute-used'
          ? ('used' as const)
          : ('bad' as const)
  };

  it('reads the exact body of the Interrupt button', () => {
    const body = ntfyCommandBody(good.run, 'interrupt', good.nonce);
    expect(JSON.parse(body)).toEqual({
      v: 1,
      run: 'R1',
      cmd: 'interrupt',
      nonce: 'N-interrupt'
    });
    expect(readNtfyCommand('m1', body, ntfyContext)).toEqual({
      kind: 'command',
      verb: 'interrupt',
      id: 'm1',
      via: 'ntfy'
    });
  });

  it('ignores a wrong nonce, a used one, and another run’s command', () => {
    expect(
      readNtfyCommand(
        'm2',
        ntfyCommandBody('R1', 'interrupt', 'N-guess'),
        ntfyContext
      )
    ).toMatchObject({
      kind: 'ignored',
      reason: 'bad-nonce',
      verb: 'interrupt'
    });
    expect(
      readNtfyCommand(
        'm3',
        ntfyCommandBody('R1', 'mute', 'N-mute-used'),
        ntfyContext
      )
    ).toMatchObject({ kind: 'ignored', reason: 'used-nonce' });
    expect(
      readNtfyCommand(
        'm4',
        ntfyCommandBody('R0', 'interrupt', good.nonce),
        ntfyContext
      )
    ).toMatchObject({ kind: 'ignored', reason: 'other-run' });
  });

  it('refuses anything but the four fields, a fixed verb and version 1', () => {
    const cases = [
      'stop',
      '',
      '[]',
      '{"v":1,"run":"R1","cmd":"interrupt"}',
      '{"v":1,"run":"R1","cmd":"interrupt","nonce":"N-interrupt","code":"import os"}',
      '{"v":1,"run":"R1","cmd":"exec","nonce":"N-interrupt"}',
      '{"v":1,"run":"R1","cmd":"restart","nonce":"N-interrupt"}',
      '{"v":2,"run":"R1","cmd":"interrupt","nonce":"N-interrupt"}',
      `{"v":1,"run":"R1","cmd":"interrupt","nonce":"${'N'.repeat(600)}"}`
    ];
    for (const text of cases) {
      expect(readNtfyCommand('m', text, ntfyContext)).toMatchObject({
        kind: 'ignored',
        reason: 'malformed'
      });
    }
  });
});
