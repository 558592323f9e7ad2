import type { TranslationBundle } from '@jupyterlab/translation';
import { withNtfyLogin } from '../delivery/channels/channelCatalog';
import { matrixTarget } from '../delivery/channels/matrixChannel';
import { resolveRoom } from '../matrix/matrixRooms';
import type { ILmkSettings } from '../settings/lmkSettings';
import type { IActiveRun, IChannelConfig, ILmkEvent } from '../tokens';
import { liveWhere } from './liveMetadata';
import { LiveShare } from './liveShare';
import type { ILiveSnapshot } from './liveStatusText';
import type { ILiveTransport } from './liveTransport';
import { MatrixLive } from './matrixLive';
import { NtfyLive } from './ntfyLive';

/**
 * Share a run live through a channel: make its transport (the Matrix room
 * with the Matrix login, or the ntfy topic with its token or the ntfy
 * login), post the first status and start listening. Loaded the first time
 * a run is shared. Rejects with a message for the user.
 */
export async function openLiveShare(options: {
  id: string;
  run: IActiveRun;
  config: IChannelConfig;
  settings: () => ILmkSettings;
  notebookUrl: (path: string) => string;
  readCell: (cellId: string) => { source: string; lastOutput: string } | null;
  interrupt: () => Promise<void>;
  record: (event: ILmkEvent, at: number) => void;
  trans: TranslationBundle;
  now?: () => number;
}): Promise<LiveShare> {
  const { run, settings, trans } = options;
  const transport = await liveTransport(
    options.config,
    settings(),
    options.id,
    trans
  );
  const share = new LiveShare({
    id: options.id,
    run,
    transport,
    trans,
    snapshot: () =>
      runSnapshot(run, settings(), options.notebookUrl, options.readCell),
    interrupt: options.interrupt,
    record: options.record,
    now: options.now
  });
  try {
    await share.start();
  } catch (reason) {
    share.dispose();
    throw reason;
  }
  return share;
}

/**
 * The transport of a channel: Matrix (a room, with the Matrix login) or
 * ntfy (a topic, with the channel's token or the ntfy login's).
 */
export async function liveTransport(
  config: IChannelConfig,
  settings: ILmkSettings,
  shareId: string,
  trans: TranslationBundle
): Promise<ILiveTransport> {
  if (config.type === 'ntfy') {
    return new NtfyLive({
      config: withNtfyLogin(config, settings.accounts),
      shareId,
      trans
    });
  }
  const { room, session } = matrixTarget(
    config,
    settings.accounts.matrix ?? null,
    trans
  );
  const roomId = await resolveRoom(session, room, trans);
  return new MatrixLive({
    session,
    roomId,
    roomLabel: liveWhere(config),
    shareId,
    trans
  });
}

/**
 * Where a run is now, as its status shows it: cell k of N, elapsed time on
 * the kernel's clock, and (only where the settings add them to messages)
 * the current cell's first line and the run's last line of output.
 */
export function runSnapshot(
  run: IActiveRun,
  settings: ILmkSettings,
  notebookUrl: (path: string) => string,
  readCell: (cellId: string) => { source: string; lastOutput: string } | null
): ILiveSnapshot {
  const ids = run.cellIds;
  const cells = Math.max(ids.length, 1);
  const executed = Math.min(run.executed, cells);
  const wantsSource = settings.includeSource;
  const wantsOutput = settings.outputLines > 0;
  let firstLine: string | null = null;
  let lastOutput: string | null = null;
  if (wantsSource || wantsOutput) {
    const current = run.isDone ? null : run.current();
    const cell = current ? readCell(current.cellId) : null;
    if (wantsSource && cell) {
      firstLine =
        cell.source
          .split('\n')
          .find(line => line.trim())
          ?.trim() ?? null;
    }
    if (wantsOutput) {
      lastOutput = cell?.lastOutput || null;
      // Nothing printed yet by this cell: the one before it said last.
      const previous = executed > 0 ? ids[executed - 1] : undefined;
      if (!lastOutput && previous && previous !== current?.cellId) {
        lastOutput = readCell(previous)?.lastOutput || null;
      }
    }
  }
  return {
    notebookPath: run.notebookPath,
    notebookUrl: notebookUrl(run.notebookPath),
    kernel: run.kernel,
    cells,
    executed,
    started: run.started,
    elapsedSeconds: run.durationSeconds,
    firstLine,
    lastOutput
  };
}
