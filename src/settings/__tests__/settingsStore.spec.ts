/**
 * The sidebar's settings edits against a real Jupyter server's settings
 * API (jupyterlab_server, with this extension's built schema) and a real
 * setting registry: hand-edited files with bad values are read, and every
 * edit changes only what it edits.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { ServerConnection, SettingManager } from '@jupyterlab/services';
import { SettingRegistry } from '@jupyterlab/settingregistry';
import { nullTranslator } from '@jupyterlab/translation';
import * as fs from 'fs';
import * as path from 'path';
import { useJupyterServer } from '../../__tests__/kernelFixtures';
import { SettingsEditError } from '../settingsEdits';
import { SettingsStore } from '../settingsStore';

const trans = nullTranslator.load('jupyterlab_lmk');
const PLUGIN = 'jupyterlab-lmk:plugin';

/** A webhook with a signing secret and a remote server with a token. */
const HAND_EDITED = `{
  // Edited by hand: a negative threshold and a key from another version.
  "threshold": -5,
  "onlyOnWeekdays": true,
  "channels": [
    { "id": "lab", "type": "toast", "enabled": true },
    { "id": "hook", "type": "webhook", "enabled": true, "perMinute": -1,
      "url": "https://example.org/hooks/abc", "secret": "s3cret-value" },
    "not a channel",
    { "id": "tg", "type": "telegram", "enabled": true, "chat": "42" },
    { "id": "hook", "type": "slack", "enabled": true, "url": "https://hooks.slack.com/x" }
  ],
  "accounts": {
    "matrix": { "homeserver": "https://matrix.example.org", "userId": "@me:example.org",
                "deviceId": "DEV", "accessToken": "matrix-token" },
    "slack": { "token": "from-a-later-version" }
  },
  "remoteServers": [
    { "id": "jupyter", "kind": "jupyter", "name": "Remote",
      "url": "http://127.0.0.1:9999/", "token": "remote-token-123" }
  ]
}
`;

describe('SettingsStore against a real settings API', () => {
  useJupyterServer();
  let file: string;
  let stores: SettingsStore[];

  /** What the server reads from the file (parsed, comments dropped). */
  const onDisk = async (): Promise<{ [key: string]: any }> => {
    const manager = new SettingManager({
      serverSettings: labSettings()
    });
    return (await manager.fetch(PLUGIN)).settings as { [key: string]: any };
  };

  /** One lab tab: its own registry and store. */
  const tab = async (): Promise<SettingsStore> => {
    const registry = new SettingRegistry({
      connector: new SettingManager({
        serverSettings: labSettings()
      })
    });
    const store = new SettingsStore({ registry, pluginId: PLUGIN, trans });
    stores.push(store);
    await store.ready;
    return store;
  };

  beforeAll(() => {
    const settingsDir = JSON.parse(PageConfig.getOption('__configData')).LabApp
      .user_settings_dir as string;
    file = path.join(
      settingsDir,
      'jupyterlab-lmk',
      'plugin.jupyterlab-settings'
    );
    fs.mkdirSync(path.dirname(file), { recursive: true });
  });

  beforeEach(() => {
    fs.writeFileSync(file, HAND_EDITED);
    stores = [];
  });

  it('serves the schema this source tree holds (rebuild the extension if not)', async () => {
    const manager = new SettingManager({
      serverSettings: labSettings()
    });
    const served = (await manager.fetch(PLUGIN)).schema;
    const source = JSON.parse(
      fs.readFileSync(
        path.join(__dirname, '../../../schema/plugin.json'),
        'utf8'
      )
    );
    expect(served.properties).toEqual(source.properties);
  });

  it('reads a hand-edited file with bad values: the channels and servers it holds, not the defaults', async () => {
    const store = await tab();
    expect(store.settings.threshold).toBe(30);
    expect(store.settings.channels.map(c => c.id)).toEqual([
      'lab',
      'hook',
      'tg'
    ]);
    expect(store.settings.remoteServers.map(s => s.token)).toEqual([
      'remote-token-123'
    ]);
    expect(store.settings.accounts.matrix?.accessToken).toBe('matrix-token');
  });

  it('adding a channel keeps everything else in the file: secrets, servers, bad values, unknown entries', async () => {
    const store = await tab();
    await store.saveChannel({
      id: store.newChannelId('ntfy'),
      type: 'ntfy',
      enabled: true,
      topic: 'runs'
    });
    const saved = await onDisk();
    expect(saved.threshold).toBe(-5);
    expect(saved.onlyOnWeekdays).toBe(true);
    expect(saved.channels).toEqual([
      ...JSONish(HAND_EDITED).channels,
      { id: 'ntfy', type: 'ntfy', enabled: true, topic: 'runs' }
    ]);
    expect(saved.accounts).toEqual(JSONish(HAND_EDITED).accounts);
    expect(saved.remoteServers).toEqual(JSONish(HAND_EDITED).remoteServers);
  });

  it('switching a channel off changes that field only (an ignored value of it stays in the file)', async () => {
    const store = await tab();
    const hook = store.settings.channels.find(c => c.id === 'hook')!;
    expect(hook.perMinute).toBeUndefined();
    await store.saveChannel({ ...hook, enabled: false });
    const saved = await onDisk();
    expect(saved.channels[1]).toEqual({
      id: 'hook',
      type: 'webhook',
      enabled: false,
      perMinute: -1,
      url: 'https://example.org/hooks/abc',
      secret: 's3cret-value'
    });
    // The ignored duplicate is untouched.
    expect(saved.channels[4].type).toBe('slack');
  });

  it('removing a channel removes that entry only; a duplicate the reader ignored then shows', async () => {
    const store = await tab();
    await store.removeChannel('hook');
    const saved = await onDisk();
    expect(saved.channels).toHaveLength(4);
    expect(saved.channels[3]).toEqual(JSONish(HAND_EDITED).channels[4]);
    expect(store.settings.channels.find(c => c.id === 'hook')?.type).toBe(
      'slack'
    );
  });

  it('a login saved or removed leaves the other logins, unknown ones included', async () => {
    const store = await tab();
    await store.setAccount('ntfy', {
      server: 'https://ntfy.sh',
      username: 'me',
      token: 'tk_ntfy'
    });
    await store.setAccount('matrix', null);
    expect((await onDisk()).accounts).toEqual({
      slack: { token: 'from-a-later-version' },
      ntfy: { server: 'https://ntfy.sh', username: 'me', token: 'tk_ntfy' }
    });
  });

  it('a remote server edited keeps its token when the form leaves it', async () => {
    const store = await tab();
    const [server] = store.settings.remoteServers;
    await store.saveRemoteServer({ ...server, name: 'Renamed' });
    expect((await onDisk()).remoteServers).toEqual([
      { ...JSONish(HAND_EDITED).remoteServers[0], name: 'Renamed' }
    ]);
  });

  it('"channels" that is not a list: the edit is refused with what to fix, and the file is not written', async () => {
    const raw =
      '{ "channels": { "lab": { "type": "toast" } }, "threshold": 5 }';
    fs.writeFileSync(file, raw);
    const store = await tab();
    await expect(
      store.saveChannel({ id: 'x', type: 'toast', enabled: true })
    ).rejects.toThrow(SettingsEditError);
    await expect(
      store.saveChannel({ id: 'x', type: 'toast', enabled: true })
    ).rejects.toThrow('"channels" in your settings file is not a list');
    expect(fs.readFileSync(file, 'utf8')).toBe(raw);
  });

  it('two tabs that each add a channel: both are kept (each edit starts from the file)', async () => {
    const [a, b] = [await tab(), await tab()];
    await a.saveChannel({ id: 'a', type: 'toast', enabled: true });
    // b still shows the file as it was when it loaded.
    expect(b.settings.channels.some(c => c.id === 'a')).toBe(false);
    await b.saveChannel({ id: 'b', type: 'toast', enabled: true });
    const ids = (await onDisk()).channels.map((c: any) => c?.id);
    expect(ids).toEqual(['lab', 'hook', undefined, 'tg', 'hook', 'a', 'b']);
  });
});

/** The lab's settings API is under `lab/`. */
function labSettings(): ServerConnection.ISettings {
  return ServerConnection.makeSettings({ appUrl: 'lab' });
}

/** The hand-edited document as data (its comments dropped). */
function JSONish(text: string): { [key: string]: any } {
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
}
