/**
 * The settings file that holds the tokens: the server extension's route,
 * asked from a real Jupyter server, and when the lab warns.
 */
import { PageConfig } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import * as fs from 'fs';
import * as path from 'path';
import { useJupyterServer } from '../../__tests__/kernelFixtures';
import { DEFAULT_SETTINGS, type ILmkSettings } from '../lmkSettings';
import {
  fetchSettingsFileState,
  type ISettingsFileState,
  SettingsFileWatch
} from '../settingsFileCheck';

const withToken: ILmkSettings = {
  ...DEFAULT_SETTINGS,
  channels: [
    ...DEFAULT_SETTINGS.channels,
    { id: 'phone', type: 'ntfy', enabled: true, topic: 't', token: 'tk_x' }
  ]
};

describe('GET lmk/api/settings-file on a real Jupyter server (the server extension)', () => {
  useJupyterServer();
  let folder: string;
  let file: string;

  beforeAll(() => {
    folder = JSON.parse(PageConfig.getOption('__configData')).LabApp
      .user_settings_dir as string;
    file = path.join(folder, 'jupyterlab-lmk', 'plugin.jupyterlab-settings');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ channels: withToken.channels }));
  });

  it('says when others can read the file, and the command that makes it private', async () => {
    fs.chmodSync(folder, 0o755);
    fs.chmodSync(path.dirname(file), 0o755);
    fs.chmodSync(file, 0o644);
    const state = await fetchSettingsFileState(ServerConnection.makeSettings());
    expect(state).toMatchObject({
      path: file,
      exists: true,
      mode: '0644',
      othersCanRead: true,
      fix: `chmod 600 ${file} && chmod 700 ${path.dirname(file)}`
    });
    expect(JSON.stringify(state)).not.toContain('tk_x');

    fs.chmodSync(file, 0o600);
    fs.chmodSync(path.dirname(file), 0o700);
    expect(
      await fetchSettingsFileState(ServerConnection.makeSettings())
    ).toMatchObject({ mode: '0600', othersCanRead: false });
  });

  it('answers only the server’s own user (no token: 403)', async () => {
    const settings = ServerConnection.makeSettings({ token: '' });
    const response = await fetch(`${settings.baseUrl}lmk/api/settings-file`);
    expect(response.status).toBe(403);
  });
});

describe('SettingsFileWatch', () => {
  const readable: ISettingsFileState = {
    path: '/home/me/.jupyter/lab/user-settings/jupyterlab-lmk/plugin.jupyterlab-settings',
    folder: '/home/me/.jupyter/lab/user-settings/jupyterlab-lmk',
    exists: true,
    mode: '0644',
    folderMode: '0755',
    othersCanRead: true,
    fix: 'chmod 600 … && chmod 700 …'
  };
  let storage: Map<string, string>;
  let warned: ISettingsFileState[];
  let asked: number;
  const watch = (state: ISettingsFileState | null = readable) =>
    new SettingsFileWatch({
      fetch: async () => {
        asked++;
        return state;
      },
      warn: found => warned.push(found),
      storage: {
        getItem: key => storage.get(key) ?? null,
        setItem: (key, value) => storage.set(key, value)
      }
    });

  beforeEach(() => {
    storage = new Map();
    warned = [];
    asked = 0;
  });

  it('warns once at start, not again after a reload while the mode is the same', async () => {
    await watch().settingsRead(withToken);
    expect(warned).toHaveLength(1);
    await watch().settingsRead(withToken);
    expect(warned).toHaveLength(1);
    // The mode changed (and back): said again.
    await watch({ ...readable, mode: '0640' }).settingsRead(withToken);
    expect(warned).toHaveLength(2);
  });

  it('asks nothing while the settings hold no secret', async () => {
    const page = watch();
    await page.settingsRead(DEFAULT_SETTINGS);
    await page.settingsRead({ ...DEFAULT_SETTINGS, threshold: 5 });
    expect(asked).toBe(0);
    expect(warned).toEqual([]);
  });

  it('warns when a token is first saved, even if it warned at an earlier start', async () => {
    await watch().settingsRead(withToken);
    const page = watch();
    await page.settingsRead(DEFAULT_SETTINGS);
    await page.settingsRead(withToken);
    expect(warned).toHaveLength(2);
    // Later changes with the token still there: nothing more.
    await page.settingsRead({ ...withToken, threshold: 5 });
    expect(warned).toHaveLength(2);
  });

  it('says nothing when the file is private or the server cannot tell', async () => {
    await watch({ ...readable, othersCanRead: false }).settingsRead(withToken);
    await watch(null).settingsRead(withToken);
    expect(warned).toEqual([]);
  });
});
