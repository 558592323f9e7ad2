import type { JupyterFrontEnd } from '@jupyterlab/application';
import {
  type ICommandPalette,
  InputDialog,
  Notification
} from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UUID } from '@lumino/coreutils';
import type { DesktopChannel } from './delivery/channels/desktopChannel';
import { deliveryStatus } from './messages/deliveryStatus';
import type { IDeliveryResult, ILmkNotifier, INotifyWhenDone } from './tokens';

/**
 * The command ids of jupyterlab-lmk.
 */
export namespace CommandIDs {
  export const notify = 'lmk:notify';
  export const enableDesktop = 'lmk:enable-desktop';
  export const sendTest = 'lmk:send-test';
  export const editReport = 'lmk:edit-report';
  export const runAndReport = 'lmk:run-and-report';
  export const setCellMode = 'lmk:set-cell-mode';
  export const setNotebookMode = 'lmk:set-notebook-mode';
  export const muteNotebook = 'lmk:mute-notebook';
  export const setTitlePrefix = 'lmk:set-title-prefix';
  export const notifyWhenDone = 'lmk:notify-when-done';
  export const toggleAwayOnly = 'lmk:toggle-away-only';
  export const openHistory = 'lmk:open-history';
  export const openPanel = 'lmk:open-panel';
  export const chooseNotebookChannels = 'lmk:choose-notebook-channels';
  export const showClosedBrowserDelivery = 'lmk:show-closed-browser-delivery';
  export const openRemoteSessions = 'lmk:open-remote-sessions';
  export const refreshRemoteSessions = 'lmk:refresh-remote-sessions';
  export const shareLiveStatus = 'lmk:share-live-status';
  export const stopLiveStatus = 'lmk:stop-live-status';
}

/**
 * Register the commands and put them in the palette's "Notifications" category.
 */
export function addCommands(
  app: JupyterFrontEnd,
  options: {
    notifier: ILmkNotifier;
    desktop: DesktopChannel;
    /** The one-shots; without them there is no `lmk:notify-when-done`. */
    whenDone: INotifyWhenDone | null;
    /** The path of the current notebook, if any. */
    currentPath: () => string | null;
    /** The "only when I'm away" setting. */
    awayOnly: { get: () => boolean; set: (value: boolean) => Promise<void> };
    trans: TranslationBundle;
    palette: ICommandPalette | null;
  }
): void {
  const { notifier, desktop, whenDone, currentPath, awayOnly, trans, palette } =
    options;
  const { commands } = app;

  commands.addCommand(CommandIDs.notify, {
    label: trans.__('Send a Notification…'),
    caption: trans.__('Send a notification through the default channels'),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          message: { type: 'string', description: trans.__('The message') },
          title: { type: 'string', description: trans.__('Optional title') }
        }
      }
    },
    execute: async args => {
      let message = typeof args.message === 'string' ? args.message : '';
      if (!message) {
        const answer = await InputDialog.getText({
          title: trans.__('Send a Notification'),
          label: trans.__('Message'),
          okLabel: trans.__('Send')
        });
        if (!answer.button.accept || !answer.value) {
          return [];
        }
        message = answer.value;
      }
      const title =
        typeof args.title === 'string' && args.title
          ? args.title
          : trans.__('Notification');
      const { buildManualEvent } = await import('./messages/runEvent');
      // Sent by hand: the user is here and wants it everywhere now.
      return notifier.notify(
        {
          id: `manual:${UUID.uuid4()}`,
          event: buildManualEvent(message, title),
          target: null
        },
        { evenIfPresent: true }
      );
    }
  });

  commands.addCommand(CommandIDs.enableDesktop, {
    label: trans.__('Enable Desktop Notifications'),
    caption: trans.__(
      'Ask the browser for permission to show desktop notifications'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isToggled: () => desktop.availability === 'granted',
    execute: () => desktop.requestPermission()
  });

  commands.addCommand(CommandIDs.sendTest, {
    label: trans.__('Send a Test Notification'),
    caption: trans.__(
      'Check that every enabled channel (or the one given) delivers'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          channel: {
            type: 'string',
            description: trans.__('Test only this channel (its id)')
          }
        }
      }
    },
    execute: async args => {
      const channel = typeof args.channel === 'string' ? args.channel : null;
      const { buildTestEvent } = await import('./messages/runEvent');
      const results = await notifier.notify(
        {
          id: `test:${UUID.uuid4()}`,
          event: buildTestEvent(trans),
          target: null
        },
        channel
          ? { evenIfPresent: true, channels: [channel] }
          : { evenIfPresent: true }
      );
      Private.reportTest(results, trans);
      return results;
    }
  });

  if (whenDone) {
    Private.addNotifyWhenDone(app, whenDone, currentPath, trans);
  }

  commands.addCommand(CommandIDs.toggleAwayOnly, {
    label: trans.__('Notify Only When I Am Away'),
    caption: trans.__(
      'Desktop and other “only when away” channels wait until the tab is hidden or idle'
    ),
    describedBy: { args: { type: 'object', properties: {} } },
    isToggled: () => awayOnly.get(),
    execute: () => awayOnly.set(!awayOnly.get())
  });

  if (palette) {
    const category = trans.__('Notifications');
    for (const command of [
      CommandIDs.notify,
      CommandIDs.enableDesktop,
      CommandIDs.sendTest,
      CommandIDs.notifyWhenDone,
      CommandIDs.toggleAwayOnly
    ]) {
      if (commands.hasCommand(command)) {
        palette.addItem({ command, category });
      }
    }
  }
}

namespace Private {
  /**
   * `lmk:notify-when-done`: arm or disarm a notebook's one-shot.
   */
  export function addNotifyWhenDone(
    app: JupyterFrontEnd,
    whenDone: INotifyWhenDone,
    currentPath: () => string | null,
    trans: TranslationBundle
  ): void {
    const { commands } = app;
    commands.addCommand(CommandIDs.notifyWhenDone, {
      label: trans.__('Notify Me When This Run Ends'),
      caption: trans.__(
        'One notification when the notebook’s current (or next) run ends, whatever the rules say'
      ),
      describedBy: {
        args: {
          type: 'object',
          properties: {
            path: {
              type: 'string',
              description: trans.__('The notebook (default: the current one)')
            }
          }
        }
      },
      isEnabled: args => !!notebookPath(args, currentPath),
      isToggled: args => {
        const path = notebookPath(args, currentPath);
        return !!path && whenDone.isArmed(path);
      },
      execute: args => {
        const path = notebookPath(args, currentPath);
        if (path) {
          whenDone.set(path, !whenDone.isArmed(path));
        }
      }
    });
    whenDone.changed.connect(() =>
      commands.notifyCommandChanged(CommandIDs.notifyWhenDone)
    );
  }

  export function notebookPath(
    args: { path?: unknown },
    currentPath: () => string | null
  ): string | null {
    return typeof args.path === 'string' && args.path
      ? args.path
      : currentPath();
  }

  /**
   * Tell the user, in one line per channel, what a test delivery did.
   */
  export function reportTest(
    results: IDeliveryResult[],
    trans: TranslationBundle
  ): void {
    if (results.length === 0) {
      Notification.warning(
        trans.__('No channel is enabled: the test went nowhere.'),
        { autoClose: false }
      );
      return;
    }
    const lines = results.map(result => {
      const status = deliveryStatus(result, trans);
      return result.detail
        ? `${result.channelId}: ${status} (${result.detail})`
        : `${result.channelId}: ${status}`;
    });
    const allSent = results.every(result => result.status === 'sent');
    Notification.emit(
      [trans.__('Test notification'), ...lines].join('\n'),
      allSent ? 'success' : 'warning',
      { autoClose: allSent ? 5000 : false }
    );
  }
}
