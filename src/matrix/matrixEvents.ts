import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../delivery/deliveryError';
import { hostOf } from '../delivery/http';
import type { IMatrixNoticeContent } from '../messages/matrixFormat';
import { authorizedRequest, type IMatrixSession } from './matrixApi';

/**
 * An event of a room as the client-server API gives it (fields unchecked).
 */
export interface IMatrixClientEvent {
  type?: unknown;
  event_id?: unknown;
  sender?: unknown;
  origin_server_ts?: unknown;
  content?: unknown;
  unsigned?: unknown;
}

/**
 * Message content as posted: a notice (which declares that it mentions
 * nobody, see `matrixNoticeContent`), perhaps an edit or a reply.
 */
export type IPostedContent = IMatrixNoticeContent & {
  'm.relates_to'?: { [key: string]: unknown };
  'm.new_content'?: IMatrixNoticeContent;
};

/**
 * The content of an edit (`m.replace`) that makes `eventId` read as
 * `content`. Clients show the new content in place of the old; the body
 * outside `m.new_content` ("* …") is for clients that do not know edits.
 * Edits do not notify (the default push rule `.m.rule.suppress_edits`).
 */
export function editContent(
  eventId: string,
  content: IMatrixNoticeContent
): IPostedContent {
  const fallback: IMatrixNoticeContent = {
    ...content,
    body: `* ${content.body}`,
    ...(content.formatted_body
      ? { formatted_body: `* ${content.formatted_body}` }
      : {})
  };
  return {
    ...fallback,
    'm.new_content': content,
    'm.relates_to': { rel_type: 'm.replace', event_id: eventId }
  };
}

/**
 * The content of a notice in reply to `eventId`.
 */
export function replyContent(
  eventId: string,
  content: IMatrixNoticeContent
): IPostedContent {
  return {
    ...content,
    'm.relates_to': { 'm.in_reply_to': { event_id: eventId } }
  };
}

/**
 * Post a message to a room with a transaction id (a retry with the same id
 * is not posted twice). Resolves to the new event's id.
 */
export async function postMessage(
  session: IMatrixSession,
  roomId: string,
  txnId: string,
  content: IPostedContent,
  trans: TranslationBundle
): Promise<string> {
  const answer = await authorizedRequest<{ event_id?: unknown }>(
    session,
    trans,
    {
      path:
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}` +
        `/send/m.room.message/${encodeURIComponent(txnId)}`,
      method: 'PUT',
      body: content
    }
  );
  if (typeof answer.event_id !== 'string') {
    throw new DeliveryError(
      'rejected',
      trans.__(
        'Matrix at %1 did not say which message it posted.',
        hostOf(session.homeserver)
      )
    );
  }
  return answer.event_id;
}

/**
 * When the homeserver received an event (ms), from the event itself.
 */
export async function eventTimestamp(
  session: IMatrixSession,
  roomId: string,
  eventId: string,
  trans: TranslationBundle
): Promise<number> {
  const event = await authorizedRequest<{ origin_server_ts?: unknown }>(
    session,
    trans,
    {
      path:
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}` +
        `/event/${encodeURIComponent(eventId)}`
    }
  );
  return typeof event.origin_server_ts === 'number'
    ? event.origin_server_ts
    : Date.now();
}

/**
 * New events of one room since a point of the user's timeline.
 */
export interface IRoomSync {
  /** Where the next sync starts. */
  nextBatch: string;
  /** Reactions and messages, oldest first (others are filtered out). */
  events: IMatrixClientEvent[];
}

/**
 * The filter of a room's sync: only its reactions and messages (and
 * encrypted events, whose relations are readable), no presence, state,
 * receipts or account data.
 */
export function roomSyncFilter(roomId: string): string {
  return JSON.stringify({
    presence: { types: [] },
    account_data: { types: [] },
    room: {
      rooms: [roomId],
      state: { types: [] },
      ephemeral: { types: [] },
      account_data: { types: [] },
      timeline: {
        types: ['m.reaction', 'm.room.message', 'm.room.encrypted'],
        limit: 50
      }
    }
  });
}

/**
 * Wait for new events in a room (`GET /sync`, long-polled with a filter):
 * resolves as soon as the homeserver has some, or after `timeoutMs` with
 * none. Without `since`, returns at once with where to start (and the
 * room's latest events, which callers starting now skip).
 */
export async function syncRoom(
  session: IMatrixSession,
  roomId: string,
  since: string | null,
  options: { timeoutMs: number; signal?: AbortSignal },
  trans: TranslationBundle
): Promise<IRoomSync> {
  const query = new URLSearchParams({
    filter: roomSyncFilter(roomId),
    timeout: String(since ? options.timeoutMs : 0)
  });
  if (since) {
    query.set('since', since);
  }
  const answer = await authorizedRequest<{
    next_batch?: unknown;
    rooms?: { join?: { [id: string]: { timeline?: { events?: unknown } } } };
  }>(session, trans, {
    path: `/_matrix/client/v3/sync?${query}`,
    // The homeserver holds the request up to `timeoutMs`.
    timeoutMs: options.timeoutMs + 15_000,
    signal: options.signal
  });
  if (typeof answer.next_batch !== 'string') {
    throw new DeliveryError(
      'rejected',
      trans.__(
        'Matrix at %1 sent a sync answer without a next batch.',
        hostOf(session.homeserver)
      )
    );
  }
  const events = answer.rooms?.join?.[roomId]?.timeline?.events;
  return {
    nextBatch: answer.next_batch,
    events: Array.isArray(events)
      ? events.filter(
          (event): event is IMatrixClientEvent =>
            !!event && typeof event === 'object'
        )
      : []
  };
}
