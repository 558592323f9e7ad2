import type { TranslationBundle } from '@jupyterlab/translation';
import type { IMatrixSession } from '../matrix/matrixApi';
import {
  editContent,
  eventTimestamp,
  postMessage,
  replyContent,
  syncRoom
} from '../matrix/matrixEvents';
import { matrixNoticeContent } from '../messages/matrixFormat';
import type { ILmkEvent } from '../tokens';
import { type CommandReading, readMatrixEvent } from './phoneCommands';
import type { LiveCommandPath } from './liveStatusText';
import type {
  ILiveHandover,
  ILiveTransport,
  StatusChange
} from './liveTransport';

/** Progress edits of a Matrix status: at most one every 10 s. */
export const MATRIX_EDIT_INTERVAL_MS = 10_000;
/** How long the homeserver holds one sync request open. */
export const SYNC_TIMEOUT_MS = 25_000;
/** Longest wait before listening again after a failed sync. */
const MAX_RETRY_MS = 30_000;

/**
 * A run's live status in a Matrix room: one notice, edited in place
 * (`m.replace`, which does not notify), and commands read from the room
 * with a filtered `/sync` long poll (reactions and replies to the notice).
 * Everything is posted as the logged-in user; only that user is obeyed.
 */
export class MatrixLive implements ILiveTransport {
  readonly kind = 'matrix';
  readonly progressIntervalMs = MATRIX_EDIT_INTERVAL_MS;
  readonly maxProgressEdits = Infinity;

  constructor(options: MatrixLive.IOptions) {
    this._session = options.session;
    this._roomId = options.roomId;
    this.where = options.roomLabel;
    this._share = options.shareId;
    this._trans = options.trans;
  }

  readonly where: string;

  get commandPath(): LiveCommandPath {
    return { kind: 'matrix', owner: this._session.userId };
  }

  /** The status message's event id, once posted. */
  get statusEventId(): string | null {
    return this._statusId;
  }

  async open(status: ILmkEvent): Promise<void> {
    const trans = this._trans;
    // Where the room's timeline is now: commands can only come after.
    const start = await syncRoom(
      this._session,
      this._roomId,
      null,
      { timeoutMs: 0 },
      trans
    );
    this._since = start.nextBatch;
    this._statusId = await postMessage(
      this._session,
      this._roomId,
      this._txn(),
      await matrixNoticeContent(status),
      trans
    );
    this._statusTs = await eventTimestamp(
      this._session,
      this._roomId,
      this._statusId,
      trans
    );
  }

  async update(status: ILmkEvent, _change: StatusChange): Promise<void> {
    if (!this._statusId) {
      return;
    }
    await postMessage(
      this._session,
      this._roomId,
      this._txn(),
      editContent(this._statusId, await matrixNoticeContent(status)),
      this._trans
    );
  }

  async say(event: ILmkEvent): Promise<void> {
    if (!this._statusId) {
      return;
    }
    await postMessage(
      this._session,
      this._roomId,
      this._txn(),
      replyContent(this._statusId, await matrixNoticeContent(event)),
      this._trans
    );
  }

  listen(
    onReading: (reading: CommandReading) => void,
    onTrouble: (message: string | null) => void
  ): void {
    if (this._listening || this._closed || !this._statusId) {
      return;
    }
    this._listening = true;
    void this._loop(onReading, onTrouble);
  }

  spend(): void {
    // Each Matrix event is read once; the share remembers what it did.
  }

  close(): void {
    this._closed = true;
    this._abort.abort();
  }

  handover(): ILiveHandover | null {
    return this._statusId
      ? {
          kind: 'matrix',
          homeserver: this._session.homeserver,
          roomId: this._roomId,
          owner: this._session.userId,
          statusEventId: this._statusId,
          statusTs: this._statusTs,
          since: this._since
        }
      : null;
  }

  private async _loop(
    onReading: (reading: CommandReading) => void,
    onTrouble: (message: string | null) => void
  ): Promise<void> {
    const context = {
      owner: this._session.userId,
      statusEventId: this._statusId!,
      statusTs: this._statusTs
    };
    let retryMs = 1000;
    let troubled = false;
    while (!this._closed) {
      try {
        const sync = await syncRoom(
          this._session,
          this._roomId,
          this._since,
          { timeoutMs: SYNC_TIMEOUT_MS, signal: this._abort.signal },
          this._trans
        );
        if (this._closed) {
          return;
        }
        this._since = sync.nextBatch;
        retryMs = 1000;
        if (troubled) {
          troubled = false;
          onTrouble(null);
        }
        for (const event of sync.events) {
          const reading = readMatrixEvent(event, context);
          if (reading.kind !== 'none') {
            onReading(reading);
          }
        }
      } catch (reason) {
        if (this._closed) {
          return;
        }
        troubled = true;
        onTrouble(reason instanceof Error ? reason.message : String(reason));
        await this._sleep(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  private _sleep(ms: number): Promise<void> {
    return new Promise(resolve => {
      const timer = setTimeout(resolve, ms);
      this._abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** A new transaction id of this share: a retry never posts twice. */
  private _txn(): string {
    return `lmk.live.${this._share}.${this._sent++}`;
  }

  private _session: IMatrixSession;
  private _roomId: string;
  private _share: string;
  private _trans: TranslationBundle;
  private _statusId: string | null = null;
  private _statusTs = 0;
  private _since: string | null = null;
  private _sent = 0;
  private _listening = false;
  private _closed = false;
  private _abort = new AbortController();
}

/**
 * The namespace for `MatrixLive` statics.
 */
export namespace MatrixLive {
  /**
   * Options of a Matrix live status.
   */
  export interface IOptions {
    session: IMatrixSession;
    /** The room's id (aliases resolved). */
    roomId: string;
    /** The room's name, for the panel. */
    roomLabel: string;
    /** The share's id, unique: it makes the transaction ids. */
    shareId: string;
    trans: TranslationBundle;
  }
}
