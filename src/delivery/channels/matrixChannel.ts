import type { TranslationBundle } from '@jupyterlab/translation';
import type { IMatrixSession } from '../../matrix/matrixApi';
import {
  matrixTxnId,
  noticeRequest,
  sendNotice
} from '../../matrix/matrixNotice';
import { resolveRoom } from '../../matrix/matrixRooms';
import { matrixNoticeContent } from '../../messages/matrixFormat';
import type {
  IChannelConfig,
  IChannelType,
  IDeliveryResult,
  ILmkNotification
} from '../../tokens';
import { DeliveryError } from '../deliveryError';
import type { IHttpRequest } from '../http';
import type { IChannelDescription } from './channelDescription';

/**
 * A room id (`!abc:example.org`; without a server name since room version
 * 12) or alias (`#room:example.org`).
 */
const ROOM = /^(![^\s:]+(:\S+)?|#[^\s:]+:\S+)$/;

/**
 * A Matrix room, posted to as an `m.notice` by the account the user logged
 * in with in the sidebar. Config: `{ id, type: 'matrix', enabled, roomId,
 * roomName? }`. Each notification has its own transaction id, so a retry
 * after a lost answer is not posted twice.
 */
export class MatrixChannel implements IChannelType {
  readonly type = 'matrix';
  readonly remote = true;
  readonly deduplicates = true;

  constructor(options: MatrixChannel.IOptions) {
    this._trans = options.trans;
    this._session = options.session;
  }

  async send(
    notification: ILmkNotification,
    config: IChannelConfig
  ): Promise<IDeliveryResult> {
    const trans = this._trans;
    const { room, session } = matrixTarget(config, this._session(), trans);
    const roomId = await resolveRoom(session, room, trans);
    await sendNotice(
      session,
      roomId,
      notification.event,
      matrixTxnId(notification.id, roomId),
      trans
    );
    return { channelId: config.id, status: 'sent', confirmed: true };
  }

  private _trans: TranslationBundle;
  private _session: () => IMatrixSession | null;
}

/**
 * The namespace for `MatrixChannel` statics.
 */
export namespace MatrixChannel {
  /**
   * Options to create the Matrix channel type.
   */
  export interface IOptions {
    trans: TranslationBundle;
    /** The current Matrix login, or null when logged out. */
    session: () => IMatrixSession | null;
  }
}

/**
 * The room (id or alias) a Matrix channel posts to and the login it posts
 * with, or a `DeliveryError` saying which is missing.
 */
export function matrixTarget(
  config: IChannelConfig,
  session: IMatrixSession | null,
  trans: TranslationBundle
): { room: string; session: IMatrixSession } {
  const room = typeof config.roomId === 'string' ? config.roomId.trim() : '';
  if (!ROOM.test(room)) {
    throw new DeliveryError(
      'invalid-config',
      trans.__('This Matrix channel has no valid room: pick one again.')
    );
  }
  if (!session) {
    throw new DeliveryError(
      'unauthorized',
      trans.__('Log in to Matrix in the Notifications sidebar.')
    );
  }
  return { room, session };
}

/**
 * The request that posts a notification to a Matrix room (an id: aliases
 * are resolved first), with a transaction id derived from the notification
 * id, so that a retry is never posted twice.
 */
export async function matrixRequest(
  notification: ILmkNotification,
  session: IMatrixSession,
  roomId: string
): Promise<IHttpRequest> {
  return noticeRequest(
    session,
    roomId,
    matrixTxnId(notification.id, roomId),
    await matrixNoticeContent(notification.event)
  );
}

/**
 * A Matrix room in the channel dialog; the Matrix login above the form
 * offers the joined rooms and fills `roomId` (and the name).
 */
export const matrixDescription: IChannelDescription = {
  type: 'matrix',
  label: trans => trans.__('Matrix room'),
  fields: trans => [
    {
      name: 'roomId',
      label: trans.__('Room'),
      kind: 'text',
      required: true,
      placeholder: trans.__('!abc123:example.org or #room:example.org'),
      help: trans.__(
        'Log in to Matrix above to pick one of your rooms, or paste a room id or alias.'
      )
    }
  ],
  validate: (config, trans) => {
    const problems: { [field: string]: string } = {};
    const room = typeof config.roomId === 'string' ? config.roomId.trim() : '';
    if (!room) {
      problems.roomId = trans.__('Choose a room.');
    } else if (!ROOM.test(room)) {
      problems.roomId = trans.__(
        'A room looks like !abc123:example.org (id) or #room:example.org (alias).'
      );
    }
    return problems;
  },
  summary: config =>
    typeof config.roomName === 'string' && config.roomName
      ? config.roomName
      : typeof config.roomId === 'string'
        ? config.roomId
        : ''
};
