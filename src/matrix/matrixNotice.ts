import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../delivery/deliveryError';
import { hostOf, type IHttpRequest } from '../delivery/http';
import {
  type IMatrixNoticeContent,
  matrixNoticeContent
} from '../messages/matrixFormat';
import type { ILmkEvent } from '../tokens';
import {
  authorizedRequest,
  type IMatrixRequest,
  type IMatrixSession,
  matrixHttpRequest
} from './matrixApi';

/**
 * The transaction id of one notification in one room. The homeserver
 * ignores a second send with the same transaction id from the same device,
 * so a retried notification is posted once.
 */
export function matrixTxnId(notificationId: string, roomId: string): string {
  const safe = notificationId.replace(/[^A-Za-z0-9._~-]/g, char =>
    char === '_' ? '__' : `_${char.charCodeAt(0).toString(16)}`
  );
  const id = safe.length > 160 ? Private.hash(notificationId) : safe;
  return `lmk.${id}.${Private.hash(roomId)}`;
}

/**
 * The request that posts a notice to a room with a transaction id (pure:
 * the kernel-side relay builds the same one).
 */
export function noticeRequest(
  session: IMatrixSession,
  roomId: string,
  txnId: string,
  content: IMatrixNoticeContent
): IHttpRequest {
  // What `authorizedRequest` adds to the options `sendNotice` gives it.
  return matrixHttpRequest({
    ...Private.noticeOptions(roomId, txnId, content),
    baseUrl: session.homeserver,
    accessToken: session.accessToken
  });
}

/**
 * Post an event to a room as an `m.notice` (plain text and sanitised HTML
 * from the event's markdown). Resolves to the id of the Matrix event.
 */
export async function sendNotice(
  session: IMatrixSession,
  roomId: string,
  event: ILmkEvent,
  txnId: string,
  trans: TranslationBundle
): Promise<{ eventId: string }> {
  const content = await matrixNoticeContent(event);
  try {
    const answer = await authorizedRequest<{ event_id?: unknown }>(
      session,
      trans,
      Private.noticeOptions(roomId, txnId, content)
    );
    return {
      eventId: typeof answer.event_id === 'string' ? answer.event_id : ''
    };
  } catch (reason) {
    if (
      reason instanceof DeliveryError &&
      (reason.kind === 'forbidden' || reason.kind === 'not-found')
    ) {
      throw new DeliveryError(
        reason.kind,
        trans.__(
          'Matrix at %1 did not post to room %2: %3 is not a member of it, or may not post there.',
          hostOf(session.homeserver),
          roomId,
          session.userId
        ),
        { status: reason.status ?? undefined }
      );
    }
    throw reason;
  }
}

namespace Private {
  /**
   * The call that sends a notice to a room.
   */
  export function noticeOptions(
    roomId: string,
    txnId: string,
    content: IMatrixNoticeContent
  ): Omit<IMatrixRequest, 'baseUrl' | 'accessToken'> {
    return {
      path:
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}` +
        `/send/m.room.message/${encodeURIComponent(txnId)}`,
      method: 'PUT',
      body: content
    };
  }

  /**
   * A short, stable hash (FNV-1a, 32 bits) in base 36.
   */
  export function hash(text: string): string {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0).toString(36);
  }
}
