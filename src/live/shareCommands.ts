import type { JupyterFrontEnd } from '@jupyterlab/application';
import { type ICommandPalette, Notification } from '@jupyterlab/apputils';
import type { INotebookTracker } from '@jupyterlab/notebook';
import type { TranslationBundle } from '@jupyterlab/translation';
import { CommandIDs } from '../commands';
import type { ILiveStatus } from '../tokens';

/**
 * `lmk:share-live-status` and `lmk:stop-live-status`: share a notebook's
 * run live to the phone (a Matrix room or ntfy), and stop.
 *
 * `lmk:share-live-status` takes the channel's id as `channel` (without it,
 * a dialog asks), the notebook's `path` (default: the current notebook)
 * and `every` (share every run, saved in the notebook as `lmk.live`).
 */
export function addShareCommands(
  app: JupyterFrontEnd,
  options: {
    live: ILiveStatus;
    notebooks: INotebookTracker | null;
    trans: TranslationBundle;
    palette: ICommandPalette | null;
  }
): void {
  const { live, notebooks, trans, palette } = options;
  const { commands } = app;
  const pathOf = (args: { path?: unknown }): string | null =>
    typeof args.path === 'string' && args.path
      ? args.path
      : (notebooks?.currentWidget?.context.path ?? null);
  const sharesOf = (path: string | null) =>
    path ? live.shares.filter(share => share.path === path) : [];
  const pathArg = {
    type: 'string',
    description: trans.__("The notebook's path (default: the current notebook)")
  };

  commands.addCommand(CommandIDs.shareLiveStatus, {
    label: trans.__('Share Live Status…'),
    caption: trans.__(
      'Keep a status of this notebook’s run in a Matrix room or on ntfy, from where you (only you) can stop or mute it'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          channel: {
            type: 'string',
            description: trans.__(
              'The id of a Matrix or ntfy channel (without it, a dialog asks)'
            )
          },
          path: pathArg,
          every: {
            type: 'boolean',
            description: trans.__(
              'Share every run of the notebook (saved in it as lmk.live)'
            )
          }
        }
      }
    },
    isEnabled: args => !!pathOf(args),
    isToggled: args =>
      sharesOf(pathOf(args)).some(share => share.state !== 'ended'),
    execute: async args => {
      const path = pathOf(args);
      if (!path) {
        return null;
      }
      const every = args.every === true;
      if (typeof args.channel === 'string' && args.channel) {
        return live.share(path, args.channel, { every });
      }
      const { askShareLive } = await import('../widgets/shareLiveDialog');
      const shares = sharesOf(path);
      const answer = await askShareLive({
        notebookName: path.split('/').pop() ?? path,
        channels: live.channels(),
        shares,
        running: Private.isRunning(notebooks, path),
        trans
      });
      if (!answer) {
        return null;
      }
      if (answer.kind === 'panel') {
        await commands.execute(CommandIDs.openPanel);
        return null;
      }
      if (answer.kind === 'stop') {
        await Promise.all(shares.map(share => live.stop(share.id)));
        return null;
      }
      try {
        const share = await live.share(path, answer.channelId, {
          every: answer.every
        });
        if (share.state === 'waiting') {
          Notification.info(
            share.every
              ? trans.__(
                  'Every run of %1 will be shared live to %2.',
                  path,
                  share.where
                )
              : trans.__(
                  'The next run of %1 will be shared live to %2.',
                  path,
                  share.where
                ),
            { autoClose: 5000 }
          );
        }
        return share;
      } catch {
        // The live status has said why (a warning toast).
        return null;
      }
    }
  });

  commands.addCommand(CommandIDs.stopLiveStatus, {
    label: trans.__('Stop Sharing Live Status'),
    caption: trans.__(
      'The status says sharing stopped; commands from the phone are no longer heard'
    ),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
            description: trans.__(
              'The share to stop (default: all of the notebook)'
            )
          },
          path: pathArg
        }
      }
    },
    isEnabled: args =>
      typeof args.id === 'string'
        ? live.shares.some(share => share.id === args.id)
        : sharesOf(pathOf(args)).length > 0,
    execute: async args => {
      const ids =
        typeof args.id === 'string'
          ? [args.id]
          : sharesOf(pathOf(args)).map(share => share.id);
      await Promise.all(ids.map(id => live.stop(id)));
    }
  });

  if (palette) {
    const category = trans.__('Notifications');
    palette.addItem({ command: CommandIDs.shareLiveStatus, category });
    palette.addItem({ command: CommandIDs.stopLiveStatus, category });
  }
}

namespace Private {
  /** Whether the notebook's kernel is busy (a run is going). */
  export function isRunning(
    notebooks: INotebookTracker | null,
    path: string
  ): boolean {
    const panel = notebooks?.find(p => p.context.path === path);
    return panel?.sessionContext.session?.kernel?.status === 'busy';
  }
}
