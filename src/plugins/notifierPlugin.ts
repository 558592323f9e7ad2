import type {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
// Commands must exist when the palette is built.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { addCommands, CommandIDs } from '../commands';
import { registerChannelTypes } from '../delivery/channels/channelCatalog';
import { DesktopChannel } from '../delivery/channels/desktopChannel';
import { ToastChannel } from '../delivery/channels/toastChannel';
// The notifier is this plugin's token: it must exist when activation returns.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { Notifier } from '../delivery/notifier';
// Must listen before the first run ends; message building loads later.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RunNotifier } from '../delivery/runNotifier';
// The outbox asks it for room synchronously, when storage is full.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import {
  historyKey,
  NotificationHistory
} from '../history/notificationHistory';
import { notebookUrl } from '../navigation/notebookUrl';
import { goToCell } from '../navigation/goToCell';
import { notebookLookup } from '../notebook/notebookLookup';
import { AwayDetector } from '../presence/awayDetector';
// Activation checks that the live status it is given is ours (small; what
// talks to Matrix and ntfy loads when a run is first shared).
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { LiveHost } from '../live/liveHost';
// Activation checks that the relay it is given is ours (small; the relay
// itself loads later, when a channel allows it).
// eslint-disable-next-line jupyter/prefer-lazy-imports
import { RelayHost } from '../relay/relayHost';
// Settings are read at activation and on every change.
// eslint-disable-next-line jupyter/prefer-lazy-imports
import {
  DEFAULT_SETTINGS,
  type ILmkSettings,
  isAwayOnlyChannel,
  readSettings
} from '../settings/lmkSettings';
import {
  fetchSettingsFileState,
  SettingsFileWatch
} from '../settings/settingsFileCheck';
import {
  IKernelRelay,
  ILiveStatus,
  ILmkNotifier,
  type INotificationTarget,
  INotifyWhenDone,
  IRunTracker
} from '../tokens';
import {
  showSettingsFileWarning,
  showSettingsProblems
} from '../widgets/settingsProblems';
import { afterRestore } from './afterRestore';

/**
 * The main plugin: reads the settings, sends a notification when a run
 * ends that the rules find worth it, and provides the notifier to others.
 * Without run tracking (`:tracker` disabled) it still sends what kernels,
 * commands, remote watches and other extensions ask for; without
 * `:notify-when-done` there is no one-shot.
 */
export const notifierPlugin: JupyterFrontEndPlugin<ILmkNotifier> = {
  id: 'jupyterlab-lmk:plugin',
  description:
    'Sends a notification when a notebook run ends, through the channels you chose.',
  autoStart: true,
  requires: [ISettingRegistry],
  optional: [
    ITranslator,
    INotebookTracker,
    ICommandPalette,
    IRunTracker,
    INotifyWhenDone,
    ILiveStatus,
    IKernelRelay
  ],
  provides: ILmkNotifier,
  activate: (
    app: JupyterFrontEnd,
    registry: ISettingRegistry,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null,
    palette: ICommandPalette | null,
    runs: IRunTracker | null,
    whenDone: INotifyWhenDone | null,
    liveStatus: ILiveStatus | null,
    kernelRelay: IKernelRelay | null
  ): ILmkNotifier => {
    // Our own live status and relay: this plugin hands them the settings,
    // History and the notifier's parts.
    const live = liveStatus instanceof LiveHost ? liveStatus : null;
    const relay = kernelRelay instanceof RelayHost ? kernelRelay : null;
    const trans = (translator ?? nullTranslator).load('jupyterlab_lmk');
    let settings: ILmkSettings = DEFAULT_SETTINGS;

    const away = new AwayDetector({ idleSeconds: () => settings.awaySeconds });
    // Outbox and claims are shared by the tabs of this lab (base URL).
    const storage = Private.storage();
    const scope = ServerConnection.makeSettings().baseUrl;
    const notifier = new Notifier({
      channels: () => settings.channels,
      waitsForAway: config =>
        settings.awayOnly && isAwayOnlyChannel(config) && !away.isAway,
      trans,
      delivery: {
        storage,
        scope,
        retryMinutes: () => settings.retryMinutes,
        // The outbox wins over the history when storage is full.
        makeRoom: () => NotificationHistory.giveWay(storage, historyKey(scope))
      },
      arbiter: () => relay?.arbiter() ?? null
    });
    // Another tab queued, sent or held something: look again.
    window.addEventListener('storage', event => {
      if (event.key === `jupyterlab-lmk:outbox:${scope}`) {
        notifier.outbox.changed();
      } else if (event.key === `jupyterlab-lmk:held:${scope}`) {
        void notifier.settleHeld();
      }
    });
    // Held notifications go out once the user is away.
    away.changed.connect(() => void notifier.settleHeld());
    const goTo = (target: INotificationTarget) =>
      goToCell(app, notebooks, target);
    const desktop = new DesktopChannel({ trans, goTo, storage });
    notifier.registerChannelType(desktop);
    notifier.registerChannelType(
      new ToastChannel({
        trans,
        goTo,
        seen: id => notifier.markSeen(id),
        offerDesktop: () =>
          desktop.canAsk &&
          !desktop.declined &&
          settings.channels.some(c => c.type === 'desktop' && c.enabled)
            ? () => desktop.requestPermission()
            : null
      })
    );
    // Sound, ntfy, webhooks, Matrix: each loaded when it first delivers.
    registerChannelTypes(type => notifier.registerChannelType(type), {
      trans,
      accounts: () => settings.accounts
    });

    // Whether other users can read the file that holds the tokens.
    const fileWatch = new SettingsFileWatch({
      fetch: () => fetchSettingsFileState(),
      warn: state => showSettingsFileWarning(state, trans),
      storage
    });
    let lastProblems = '';
    let lastToast: string | null = null;
    // Channel types are checked once every extension has registered its own.
    let typesKnown = false;
    let loaded: ISettingRegistry.ISettings | null = null;
    const apply = () => {
      if (!loaded) {
        return;
      }
      const { settings: read, problems } = readSettings(
        loaded.composite as { [key: string]: unknown },
        trans,
        typesKnown ? { isKnownType: type => notifier.hasChannelType(type) } : {}
      );
      settings = read;
      relay?.settingsChanged();
      app.commands.notifyCommandChanged(CommandIDs.toggleAwayOnly);
      if (typesKnown) {
        void fileWatch.settingsRead(read);
      }
      // "Only when away" or the idle time may have changed.
      away.check();
      void notifier.settleHeld();
      const text = problems.join('\n');
      if (text !== lastProblems) {
        if (lastToast) {
          Notification.dismiss(lastToast);
          lastToast = null;
        }
        if (text) {
          lastToast = showSettingsProblems(
            problems,
            trans,
            app.commands.hasCommand('settingeditor:open')
              ? () =>
                  void app.commands.execute('settingeditor:open', {
                    query: 'Notifications (LMK)'
                  })
              : null
          );
        }
      }
      lastProblems = text;
    };
    registry
      .load(notifierPlugin.id)
      .then(settingsLoaded => {
        loaded = settingsLoaded;
        apply();
        loaded.changed.connect(apply);
        // What earlier pages left in the outbox, now that channels are known.
        afterRestore(app, () => {
          typesKnown = true;
          apply();
          return notifier.resume();
        });
      })
      .catch(reason => {
        Notification.warning(
          trans.__(
            'Notification settings could not be loaded; the defaults apply. %1',
            reason instanceof Error ? reason.message : String(reason)
          ),
          { autoClose: false }
        );
      });

    const findNotebook = (path: string) => {
      const panel = notebooks?.find(p => p.context.path === path);
      return panel ? notebookLookup(panel) : null;
    };
    const runNotifier = runs
      ? new RunNotifier({
          runs,
          notifier,
          settings: () => settings,
          notebookUrl,
          findNotebook,
          whenDone,
          trans,
          flood: { limit: () => settings.floodLimit },
          live: () => live,
          relay: () => relay?.runHooks() ?? null
        })
      : null;
    live?.connect({
      settings: () => settings,
      notebookUrl,
      // Commands from the phone go in History only.
      record: notification => {
        void notifier.notify(notification, {
          channels: [],
          evenIfPresent: true
        });
      }
    });
    // The relay needs the run tracker, so `runNotifier` is there with it.
    relay?.connect({
      settings: () => settings,
      findNotebook,
      notebookUrl,
      notify: notification => notifier.notify(notification),
      handleRun: async (summary, decided) =>
        runNotifier?.handle(summary, decided),
      resolveRoom: async alias => {
        const session = settings.accounts.matrix;
        if (!session) {
          throw new Error('No Matrix login.');
        }
        const { resolveRoom } = await import('../matrix/matrixRooms');
        return resolveRoom(session, alias, trans);
      }
    });

    addCommands(app, {
      notifier,
      desktop,
      whenDone,
      currentPath: () => notebooks?.currentWidget?.context.path ?? null,
      awayOnly: {
        get: () => settings.awayOnly,
        set: async value => {
          await registry.set(notifierPlugin.id, 'awayOnly', value);
        }
      },
      trans,
      palette
    });
    return notifier;
  }
};

namespace Private {
  /**
   * The browser's local storage, or `null` where it is off.
   */
  export function storage(): Storage | null {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  }
}
