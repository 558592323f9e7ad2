import type { TranslationBundle } from '@jupyterlab/translation';
import { DeliveryError } from '../delivery/deliveryError';
import { hostOf } from '../delivery/http';
import { authorizedRequest, type IMatrixSession } from './matrixApi';

/**
 * A room the user has joined.
 */
export interface IMatrixRoom {
  roomId: string;
  /** The room's name, else its canonical alias, else its id. */
  name: string;
}

/**
 * The rooms the user has joined, with their names, sorted by name.
 */
export async function joinedRooms(
  session: IMatrixSession,
  trans: TranslationBundle
): Promise<IMatrixRoom[]> {
  const answer = await authorizedRequest<{ joined_rooms?: unknown }>(
    session,
    trans,
    { path: '/_matrix/client/v3/joined_rooms' }
  );
  const ids = Array.isArray(answer.joined_rooms)
    ? answer.joined_rooms.filter((id): id is string => typeof id === 'string')
    : [];
  const rooms = await Private.mapLimited(ids, 6, async roomId => ({
    roomId,
    name: (await Private.roomName(session, roomId, trans)) ?? roomId
  }));
  return rooms.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The room id an alias (`#room:example.org`) points to; a room id is
 * returned as it is.
 */
export async function resolveRoom(
  session: IMatrixSession,
  room: string,
  trans: TranslationBundle
): Promise<string> {
  if (!room.startsWith('#')) {
    return room;
  }
  try {
    const answer = await authorizedRequest<{ room_id?: unknown }>(
      session,
      trans,
      {
        path: `/_matrix/client/v3/directory/room/${encodeURIComponent(room)}`
      }
    );
    if (typeof answer.room_id === 'string') {
      return answer.room_id;
    }
  } catch (reason) {
    if (!(reason instanceof DeliveryError && reason.kind === 'not-found')) {
      throw reason;
    }
  }
  throw new DeliveryError(
    'not-found',
    trans.__(
      'Matrix at %1 knows no room called %2.',
      hostOf(session.homeserver),
      room
    ),
    { status: 404 }
  );
}

namespace Private {
  /**
   * A room's display name from its state: name, else canonical alias.
   */
  export async function roomName(
    session: IMatrixSession,
    roomId: string,
    trans: TranslationBundle
  ): Promise<string | null> {
    const state = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/state`;
    const read = async (type: string, key: string): Promise<string | null> => {
      try {
        const content = await authorizedRequest<{ [key: string]: unknown }>(
          session,
          trans,
          { path: `${state}/${type}/` }
        );
        const value = content[key];
        return typeof value === 'string' && value.trim() ? value : null;
      } catch (reason) {
        // No such state (404), or no right to read it: fall back.
        if (reason instanceof DeliveryError && reason.kind === 'unauthorized') {
          throw reason;
        }
        return null;
      }
    };
    return (
      (await read('m.room.name', 'name')) ??
      (await read('m.room.canonical_alias', 'alias'))
    );
  }

  /**
   * Map over items with at most `limit` calls in flight.
   */
  export async function mapLimited<T, R>(
    items: readonly T[],
    limit: number,
    fn: (item: T) => Promise<R>
  ): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(limit, items.length) }, worker)
    );
    return results;
  }
}
