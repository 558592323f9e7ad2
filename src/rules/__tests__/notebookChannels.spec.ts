import {
  channelsForNotebook,
  readNotebookChannels,
  withNotebookChannels
} from '../notebookChannels';
import type { IChannelConfig } from '../../tokens';

const configured: IChannelConfig[] = [
  { id: 'lab', type: 'toast', enabled: true },
  { id: 'phone', type: 'ntfy', enabled: true, default: false },
  { id: 'team', type: 'slack', enabled: false },
  { id: 'room', type: 'matrix', enabled: true }
];

describe('per-notebook channels', () => {
  it('uses the default channels (enabled, not taken out) when the notebook chose none', () => {
    expect(channelsForNotebook(configured, null)).toEqual(['lab', 'room']);
  });

  it('uses what the notebook chose, even a channel that is not a default', () => {
    expect(channelsForNotebook(configured, ['phone'])).toEqual(['phone']);
  });

  it('never sends to a channel that is switched off, even if chosen', () => {
    expect(channelsForNotebook(configured, ['team', 'room'])).toEqual(['room']);
  });

  it('keeps a chosen id that no longer exists, so the history says it is gone', () => {
    expect(channelsForNotebook(configured, ['gone'])).toEqual(['gone']);
  });

  it('an empty choice means no channel at all', () => {
    expect(channelsForNotebook(configured, [])).toEqual([]);
  });

  it('reads only a list of ids from the metadata', () => {
    expect(readNotebookChannels({ channels: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(readNotebookChannels({ channels: 'a' })).toBeNull();
    expect(readNotebookChannels({ channels: [1] })).toBeNull();
    expect(readNotebookChannels({ mode: 'always' })).toBeNull();
    expect(readNotebookChannels(null)).toBeNull();
  });

  it('writes the ids next to the other lmk keys, and removes them', () => {
    expect(withNotebookChannels({ mode: 'always' }, ['a'])).toEqual({
      mode: 'always',
      channels: ['a']
    });
    expect(
      withNotebookChannels({ mode: 'always', channels: ['a'] }, null)
    ).toEqual({ mode: 'always' });
    expect(withNotebookChannels({ channels: ['a'] }, null)).toBeNull();
  });
});
